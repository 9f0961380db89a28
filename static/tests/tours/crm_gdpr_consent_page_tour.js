/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_gdpr_consent_page", {
    steps: () => [
        {
            content: "The page names the controller and the purpose",
            trigger: ".o_gdpr_consent_page:contains(Marketing e-mails)",
        },
        {
            content: "Agree to the marketing e-mails",
            trigger: ".o_gdpr_consent_page input[value=given]",
            run: "click",
        },
        {
            content: "Save the choices",
            trigger: ".o_gdpr_consent_page .o_gdpr_consent_submit",
            run: "click",
        },
        {
            content: "The choices are recorded",
            trigger: ".o_gdpr_consent_done:contains(Marketing e-mails)",
        },
    ],
});
