/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_gdpr_consent_campaign_tour", {
    steps: () => [
        {
            content: "Create a consent campaign",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour campaign",
        },
        {
            content: "Ask about the marketing e-mails",
            trigger: ".o_field_widget[name=purpose_ids] input",
            run: "edit Marketing",
        },
        {
            content: "Pick the purpose",
            trigger: ".o-autocomplete--dropdown-item:contains(Marketing e-mails)",
            run: "click",
        },
        {
            content: "The preview counts who will be asked",
            trigger: ".o_field_widget[name=count_to_ask]:not(:contains(/^0$/))",
        },
        {
            content: "Send",
            trigger: ".o_form_view button[name=action_launch]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The campaign is being sent",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Sending)",
        },
    ],
});
