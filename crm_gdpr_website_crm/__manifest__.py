{
    "name": "CRM GDPR - Website Contact Form",
    "summary": "The website's contact form asks for the consents the DPO chose, "
    "with double opt-in and the proof of the form",
    "version": "18.0.1.0.0",
    "category": "Website/Website",
    "author": "crm_gdpr",
    "maintainers": ["crm-gdpr"],
    "license": "LGPL-3",
    "installable": True,
    "auto_install": True,
    "depends": ["crm_gdpr", "website_crm"],
    "data": [
        "views/gdpr_purpose_views.xml",
        "views/gdpr_consent_history_views.xml",
        "views/website_contactus_templates.xml",
        "views/website_layout_templates.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "crm_gdpr_website_crm/static/src/js/contactus_consents.js",
        ],
        "web.assets_tests": [
            "crm_gdpr_website_crm/static/tests/tours/*.js",
        ],
    },
}
