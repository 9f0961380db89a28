from odoo import _, api, fields, models
from odoo.exceptions import UserError


class GdprErasureLog(models.Model):
    """The certificate of an erasure: when, by whom, under which request,
    how many records of which model, and salted hashes of the identifiers,
    which prove which person was erased to whoever knows them, and to no
    one else. It holds no personal data."""

    _name = "gdpr.erasure.log"
    _description = "Erasure Certificate"
    _order = "id desc"

    name = fields.Char("Certificate", required=True, readonly=True, copy=False)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users",
        "Erased by",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    request_ref = fields.Char("Request", readonly=True)
    identifier_hashes = fields.Text(
        readonly=True,
        help="HMAC-SHA256 of each identifier of the person (e-mail address, "
        "phone number) with the database's secret salt.",
    )
    line_ids = fields.One2many("gdpr.erasure.log.line", "log_id", readonly=True)
    record_count = fields.Integer(compute="_compute_record_count")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )

    @api.depends("line_ids.count")
    def _compute_record_count(self):
        for log in self:
            log.record_count = sum(log.line_ids.mapped("count"))

    @api.model
    def _record(self, footprint, counts, request_ref, suppress=True):
        """The certificate; with ``suppress``, the suppression entries that
        recognise the person if they are entered again."""
        Suppression = self.env["gdpr.suppression"]
        hashes = Suppression._hashes(
            footprint.emails, footprint.phones, create_salt=True
        )
        log = self.create(
            {
                "name": self.env["ir.sequence"].next_by_code("gdpr.erasure.log") or "/",
                "request_ref": request_ref or False,
                "identifier_hashes": "\n".join(
                    f"{kind}: {value}" for value, kind in sorted(hashes.items())
                ),
                "line_ids": [
                    fields.Command.create(
                        {
                            "model": model,
                            "model_description": self.env["ir.model"]._get(model).name
                            or model,
                            "action": action,
                            "count": count,
                        }
                    )
                    for (model, action), count in sorted(counts.items())
                    if count
                ],
            }
        )
        if suppress:
            Suppression._suppress(footprint.emails, footprint.phones, log)
        return log

    def _counts(self):
        self.ensure_one()
        result = {}
        for line in self.line_ids:
            result.setdefault(line.model, {})[line.action] = line.count
        return result

    def _send_certificate(self, email, partner=None):
        """E-mail the certificate to the person straight through the mail
        server, so that no copy of their address stays in the outgoing
        queue; in the language of ``partner`` (the person's contact, read
        before the erasure), else their company's."""
        self.ensure_one()
        company = self.company_id
        partner = partner or self.env["res.partner"]
        env = self.with_context(lang=partner._gdpr_lang(company) or None).env
        pdf, _format = env["ir.actions.report"]._render_qweb_pdf(
            "crm_gdpr.action_report_gdpr_erasure_certificate", self.ids
        )
        mail_server = self.env["ir.mail_server"].sudo()
        message = mail_server.build_email(
            email_from=self.with_company(company)._certificate_sender(),
            email_to=[email],
            subject=env._("Your personal data was erased (%s)", self.name),
            body=env._(
                "As you asked, %(company)s has erased your personal data. The "
                "certificate %(name)s is attached.",
                company=company.name,
                name=self.name,
            ),
            attachments=[(self._certificate_filename(), pdf, "application/pdf")],
        )
        try:
            mail_server.send_email(message)
        except Exception as error:
            raise UserError(
                _("The certificate could not be sent: %s. Nothing was erased.", error)
            ) from error

    @api.model
    def _certificate_sender(self):
        """The address certificates are sent from: the company's, else the
        mail server's default sender, else the data protection officer's.
        Refuses, before anything is erased, when there is none."""
        company = self.env.company
        sender = (
            company.email_formatted
            or self.env["ir.mail_server"].sudo()._get_default_from_address()
            or company.gdpr_dpo_partner_id.email_formatted
        )
        if not sender:
            raise UserError(
                _(
                    "The certificate cannot be sent: %(company)s has no e-mail "
                    "address. Set the company's e-mail address (Settings > "
                    "Companies), a default sender for outgoing e-mails (Settings > "
                    "Technical > Email Domains), or the data protection officer's "
                    "contact with an e-mail address (Settings > Privacy). Nothing "
                    "was erased.",
                    company=company.name,
                )
            )
        return sender

    def _certificate_filename(self):
        return self.name.replace("/", "-") + ".pdf"

    def action_print_certificate(self):
        return self.env.ref(
            "crm_gdpr.action_report_gdpr_erasure_certificate"
        ).report_action(self)
