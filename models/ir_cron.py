from odoo import models

from .gdpr_audit_entry import traced_as


class IrCron(models.Model):
    _inherit = "ir.cron"

    def _callback(self, cron_name, server_action_id):
        with traced_as(self.env, "cron"):
            return super()._callback(cron_name, server_action_id)

    def method_direct_trigger(self):
        with traced_as(self.env, "cron"):
            return super().method_direct_trigger()
