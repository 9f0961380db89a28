"""Identifiers follow the naming guidelines: the views that extend another
module's views end in ``_inherit_crm_gdpr``, the menus start with
``menu_gdpr_`` and the report actions with ``action_report_gdpr_``.

The records keep their database ids: the identifiers are renamed before the
data files load, so that what points at them (a mail template's report, a
view a customer made that extends one of them, a menu's groups) stays as it
is. The extensions that were merged into the view they extended are removed
here, after the views that extended them were moved onto that view.
"""

from odoo.tools import SQL

RENAMED = {
    "crm_lead_view_form": "crm_lead_view_form_inherit_crm_gdpr",
    "res_partner_view_form": "res_partner_view_form_inherit_crm_gdpr",
    "res_partner_view_search": "res_partner_view_search_inherit_crm_gdpr",
    "res_users_view_form": "res_users_view_form_inherit_crm_gdpr",
    "res_config_settings_view_form": "res_config_settings_view_form_inherit_crm_gdpr",
    "menu_privacy_root": "menu_gdpr_root",
    "menu_privacy_register": "menu_gdpr_register",
    "menu_privacy_consents": "menu_gdpr_consents",
    "menu_privacy_requests": "menu_gdpr_requests",
    "menu_privacy_erasure": "menu_gdpr_erasure",
    "menu_privacy_retention": "menu_gdpr_retention",
    "menu_privacy_audit": "menu_gdpr_audit",
    "menu_privacy_configuration": "menu_gdpr_configuration",
    "menu_privacy_security": "menu_gdpr_security",
    "gdpr_purpose_register_report": "action_report_gdpr_purpose_register",
}

# extension view -> the view it is now part of (new identifiers)
MERGED = {
    "res_partner_view_form_data_confirmation": "res_partner_view_form_inherit_crm_gdpr",
    "res_config_settings_view_form_data_confirmation": (
        "res_config_settings_view_form_inherit_crm_gdpr"
    ),
    "gdpr_field_view_list_subject": "gdpr_field_view_list",
    "gdpr_field_view_form_subject": "gdpr_field_view_form",
    "gdpr_purpose_view_form_validity": "gdpr_purpose_view_form",
    "gdpr_consent_view_list_validity": "gdpr_consent_view_list",
    "gdpr_consent_view_form_validity": "gdpr_consent_view_form",
    "gdpr_consent_view_search_validity": "gdpr_consent_view_search",
}


def migrate(cr, version):
    for old, new in RENAMED.items():
        cr.execute(
            SQL(
                """
                UPDATE ir_model_data SET name = %(new)s
                 WHERE module = 'crm_gdpr' AND name = %(old)s
                   AND NOT EXISTS (SELECT 1 FROM ir_model_data
                                    WHERE module = 'crm_gdpr' AND name = %(new)s)
                """,
                old=old,
                new=new,
            )
        )
    for old, into in MERGED.items():
        cr.execute(
            SQL(
                """
                SELECT old.res_id, target.res_id
                  FROM ir_model_data old, ir_model_data target
                 WHERE old.module = 'crm_gdpr' AND old.name = %(old)s
                   AND old.model = 'ir.ui.view'
                   AND target.module = 'crm_gdpr' AND target.name = %(into)s
                   AND target.model = 'ir.ui.view'
                """,
                old=old,
                into=into,
            )
        )
        row = cr.fetchone()
        if not row:
            continue
        old_id, into_id = row
        cr.execute(
            SQL(
                "UPDATE ir_ui_view SET inherit_id = %s WHERE inherit_id = %s",
                into_id,
                old_id,
            )
        )
        cr.execute(SQL("DELETE FROM ir_ui_view WHERE id = %s", old_id))
        cr.execute(
            SQL(
                "DELETE FROM ir_model_data WHERE module = 'crm_gdpr' AND name = %s",
                old,
            )
        )
