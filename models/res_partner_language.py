from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _gdpr_lang(self, company):
        """The language to write to this person in: their own, else that of
        the contact of ``company`` (the company that holds their data, whose
        language is its country's more often than English), else False: the
        caller's language applies. ``self`` is one contact or none (a person
        known only by an e-mail address)."""
        return self[:1].lang or company.sudo().partner_id.lang or False
