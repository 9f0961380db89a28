/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_gdpr_data_page", {
    steps: () => [
        {
            content: "The page shows the data held",
            trigger: ".o_gdpr_data_page input[name=city]:value(Cluj)",
        },
        {
            content: "Correct the city",
            trigger: ".o_gdpr_data_page input[name=city]",
            run: "edit Timisoara",
        },
        {
            content: "Send",
            trigger: ".o_gdpr_data_page .o_gdpr_data_submit",
            run: "click",
        },
        {
            content: "The correction is recorded",
            trigger: ".o_gdpr_data_done:contains(corrected your data)",
        },
    ],
});
