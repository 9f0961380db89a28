from odoo import _, api, fields, models


class GdprErasureWizard(models.TransientModel):
    """Erase people: step 1 shows every place their data lives and what
    will happen to it; step 2 erases, in one transaction."""

    _name = "gdpr.erasure.wizard"
    _description = "Erase Personal Data"

    state = fields.Selection(
        [("draft", "Who"), ("preview", "Preview"), ("done", "Erased")], default="draft"
    )
    partner_ids = fields.Many2many(
        "res.partner", string="Contacts", context={"active_test": False}
    )
    email = fields.Char(
        "E-mail address", help="For people who only exist as leads or messages."
    )
    phone = fields.Char("Phone number")
    name = fields.Char(
        help="Also searched in messages and meetings, as whole words. The full "
        "name (first and last name) is needed; a name other contacts also have "
        "is refused."
    )
    country_id = fields.Many2one(
        "res.country", help="The country of a phone number given without prefix."
    )
    request_ref = fields.Char(
        "Request", help="The person's request this erasure answers."
    )
    send_certificate = fields.Boolean(
        help="E-mail the erasure certificate to the person's address before "
        "it is erased; if it cannot be sent, nothing is erased."
    )
    line_ids = fields.One2many("gdpr.erasure.wizard.line", "wizard_id", readonly=True)
    summary = fields.Text(readonly=True)
    log_ids = fields.Many2many("gdpr.erasure.log", string="Certificates", readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_ids"):
            values["partner_ids"] = [fields.Command.set(context["active_ids"])]
        return values

    def _request(self):
        identifiers = []
        if self.email or self.phone:
            identifiers.append(
                {
                    "email": self.email or None,
                    "phone": self.phone or None,
                    "name": self.name or None,
                    "country": self.country_id.code or None,
                }
            )
        return {"partner_ids": self.partner_ids.ids, "identifiers": identifiers}

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Erase personal data"),
        }

    def action_preview(self):
        self.ensure_one()
        people = self.env["gdpr.erasure"].preview(**self._request())
        lines = []
        for index, person in enumerate(people, start=1):
            if person["status"] != "to_erase":
                lines.append(
                    {
                        "person": index,
                        "model": "-",
                        "label": person["person"],
                        "action": "keep",
                        "reason": _("Already erased: nothing to do.")
                        if person["status"] == "already_erased"
                        else _("No personal data found."),
                    }
                )
            for note in person["notes"]:
                lines.append(
                    {
                        "person": index,
                        "model": "-",
                        "label": person["person"],
                        "action": "keep",
                        "reason": note,
                    }
                )
            for place in person["places"]:
                record = self.env[place["model"]].sudo().browse(place["res_id"])
                lines.append(
                    {
                        "person": index,
                        "model": place["model"],
                        "res_id": place["res_id"],
                        "label": record.display_name
                        or f"{place['model']},{place['res_id']}",
                        "action": place["action"],
                        "reason": place["reason"],
                    }
                )
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(line) for line in lines
        ]
        self.state = "preview"
        return self._reopen()

    def action_erase(self):
        self.ensure_one()
        results = self.env["gdpr.erasure"].erase(
            request_ref=self.request_ref,
            send_certificate=self.send_certificate,
            **self._request(),
        )
        logs = self.env["gdpr.erasure.log"].browse(
            [r["log_id"] for r in results if r["log_id"]]
        )
        statuses = {
            "erased": _("erased"),
            "already_erased": _("already erased, nothing done"),
            "not_found": _("no personal data found, nothing done"),
        }
        certificates = [
            " (%s)" % result["certificate"] if result["certificate"] else ""
            for result in results
        ]
        summary = [
            self.env._(
                "Person %(index)s: %(status)s%(certificate)s",
                index=index,
                status=statuses[result["status"]],
                certificate=certificate,
            )
            for index, (result, certificate) in enumerate(
                zip(results, certificates, strict=True), start=1
            )
        ]
        # the wizard itself must not keep what it erased
        self.write(
            {
                "state": "done",
                "partner_ids": [fields.Command.clear()],
                "email": False,
                "phone": False,
                "country_id": False,
                "name": False,
                "line_ids": [fields.Command.clear()],
                "summary": "\n".join(summary),
                "log_ids": [fields.Command.set(logs.ids)],
            }
        )
        return self._reopen()

    def action_close(self):
        # the form behind shows the anonymised contact
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_print_certificates(self):
        return self.log_ids.action_print_certificate()
