from odoo import fields, models

from .failure_types import GDPR_FAILURE_TYPES, ONDELETE


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    failure_type = fields.Selection(selection_add=GDPR_FAILURE_TYPES, ondelete=ONDELETE)
