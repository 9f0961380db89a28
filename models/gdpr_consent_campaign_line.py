from odoo import api, fields, models
from odoo.tools import SQL

from .gdpr_consent_campaign import EXCLUSION_REASONS
from .gdpr_consent_request import token_hash

STATUSES = [
    ("queued", "Queued"),
    ("excluded", "Left out"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("bounced", "Bounced"),
    ("opened", "Opened"),
    ("given", "Given"),
    ("refused", "Refused"),
    ("expired", "Link expired"),
]


class GdprConsentCampaignLine(models.Model):
    """One person of a consent campaign: left out (and why) or asked, and
    what became of their link. A person is in a campaign once."""

    _name = "gdpr.consent.campaign.line"
    _description = "Consent Campaign Recipient"
    _order = "campaign_id, id"

    campaign_id = fields.Many2one(
        "gdpr.consent.campaign", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(
        "res.partner", "Contact", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    state = fields.Selection(
        [("queued", "Queued"), ("excluded", "Left out"), ("sent", "Sent")],
        required=True,
        default="queued",
        index=True,
    )
    exclusion_reason = fields.Selection(EXCLUSION_REASONS, string="Left out because")
    request_id = fields.Many2one(
        "gdpr.consent.request", ondelete="set null", index="btree_not_null"
    )
    mail_id = fields.Integer(help="The mail.mail of the link, until sent.")
    message_id = fields.Char(index="btree_not_null", help="Message-Id of the e-mail.")
    sent_at = fields.Datetime()
    delivered = fields.Boolean()
    bounced = fields.Boolean()
    opened_at = fields.Datetime(related="request_id.opened_at", store=True)
    request_state = fields.Selection(
        related="request_id.state", string="Link state", store=True
    )
    answer = fields.Selection([("given", "Given"), ("refused", "Refused")])
    status = fields.Selection(
        STATUSES, compute="_compute_status", store=True, index=True
    )

    _sql_constraints = [
        (
            "campaign_partner_unique",
            "UNIQUE(campaign_id, partner_id)",
            "A person is asked once by a campaign.",
        ),
    ]

    @api.depends(
        "state", "answer", "bounced", "delivered", "opened_at", "request_state"
    )
    def _compute_status(self):
        for line in self:
            if line.state != "sent":
                line.status = line.state
            elif line.answer:
                line.status = line.answer
            elif line.bounced:
                line.status = "bounced"
            elif line.request_state == "expired":
                line.status = "expired"
            elif line.opened_at:
                line.status = "opened"
            elif line.delivered:
                line.status = "delivered"
            else:
                line.status = "sent"

    def _send(self):
        """Create the consent requests of these queued lines of one campaign
        and queue their e-mails, in one go."""
        campaign = self.campaign_id
        campaign.ensure_one()
        Request = self.env["gdpr.consent.request"].sudo()
        tokens = campaign._new_tokens(len(self))
        expires_at = campaign._expiry()
        requests = Request.create(
            [
                {
                    "partner_id": line.partner_id.id,
                    "purpose_ids": [fields.Command.set(campaign.purpose_ids.ids)],
                    "kind": "consent",
                    "token_hash": token_hash(token),
                    "expires_at": expires_at,
                    "company_id": campaign.company_id.id,
                }
                for line, token in zip(self, tokens, strict=True)
            ]
        )
        urls = {
            request.id: request._url(token)
            for request, token in zip(requests, tokens, strict=True)
        }
        mails = (
            campaign.template_id.sudo()
            .with_context(consent_urls=urls)
            .send_mail_batch(
                requests.ids, email_layout_xmlid="mail.mail_notification_light"
            )
        )
        mail_of = {mail.res_id: mail for mail in mails}
        now = fields.Datetime.now()
        rows = [
            (
                line.id,
                request.id,
                mail_of[request.id].id,
                mail_of[request.id].message_id,
            )
            for line, request in zip(self, requests, strict=True)
        ]
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                "UPDATE %s l SET state = 'sent', "
                "status = 'sent', request_id = v.request_id, mail_id = v.mail_id, "
                "message_id = v.message_id, sent_at = %s, "
                "request_state = 'sent' "
                "FROM (SELECT unnest(%s::int[]) AS id, "
                "unnest(%s::int[]) AS request_id, unnest(%s::int[]) AS mail_id, "
                "unnest(%s::varchar[]) AS message_id) v WHERE l.id = v.id",
                SQL.identifier(self._table),
                now,
                [row[0] for row in rows],
                [row[1] for row in rows],
                [row[2] for row in rows],
                [row[3] for row in rows],
            )
        )
        self.invalidate_recordset()
        return requests

    @api.model
    def _mark(self, domain, vals):
        lines = self.sudo().search(domain)
        if lines:
            lines.write(vals)
        return lines
