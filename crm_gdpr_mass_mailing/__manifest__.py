{
    "name": "CRM GDPR - Email Marketing",
    "summary": "Mailings reach only the people their processing purpose allows; "
    "unsubscribing withdraws the consent with its proof",
    "version": "18.0.1.0.0",
    "category": "Marketing/Email Marketing",
    "author": "crm_gdpr",
    "maintainers": ["crm-gdpr"],
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["crm_gdpr", "mass_mailing"],
    "data": [
        "views/mailing_mailing_views.xml",
    ],
}
