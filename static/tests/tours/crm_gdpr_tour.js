/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_gdpr_record_consent", {
    steps: () => [
        {
            content: "Open the Privacy tab of the contact",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Privacy)",
            run: "click",
        },
        {
            content: "Record a consent",
            trigger: ".o_form_view button:contains(Record consent)",
            run: "click",
        },
        {
            content: "The purpose asked is the marketing e-mails",
            trigger: ".modal .o_field_widget[name=purpose_id] input:value(Marketing e-mails)",
        },
        {
            content: "Confirm the consent given",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The consent is listed as given",
            trigger:
                ".o_field_widget[name=gdpr_consent_ids] .o_data_row:contains(Marketing e-mails):contains(Given)",
        },
    ],
});
