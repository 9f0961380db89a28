from odoo import api, fields, models

from odoo.addons.crm_gdpr.models.gdpr_consent import hash_text


class GdprPurpose(models.Model):
    _inherit = "gdpr.purpose"

    show_on_web_forms = fields.Boolean(
        string="Shown on web forms",
        tracking=True,
        help="The website's contact form offers this purpose as a checkbox, "
        "unticked, with its consent wording. What the person ticks is pending "
        "until they confirm it by the e-mailed link (double opt-in).",
    )

    @api.model
    def _web_form_purposes(self, website):
        """The purposes the contact form of ``website`` offers: based on
        consent, active, marked to be shown, with a wording in the current
        language, of the website's company or of every company."""
        purposes = self.sudo().search(
            [
                ("legal_basis", "=", "consent"),
                ("consent_required", "=", True),
                ("show_on_web_forms", "=", True),
                ("company_id", "in", [False, website.company_id.id]),
            ]
        )
        return purposes.filtered("consent_text")

    def _web_form_wording_hash(self):
        """The hash of the wording the form shows, in the current language:
        the value of the purpose's box, checked again when the form is sent."""
        self.ensure_one()
        return hash_text(self.consent_text)
