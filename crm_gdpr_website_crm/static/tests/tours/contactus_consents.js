/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_gdpr_website_crm_contactus_consents", {
    url: "/contactus",
    steps: () => [
        {
            content: "The consent boxes are in the contact form, unticked",
            trigger:
                "form#contactus_form .s_website_form_rows .o_crm_gdpr_consent_box " +
                "input[type=checkbox]:not(:checked)",
        },
        {
            content: "Name",
            trigger: "form#contactus_form input[name=contact_name]",
            run: "edit Jana Nowak",
        },
        {
            content: "E-mail",
            trigger: "form#contactus_form input[name=email_from]",
            run: "edit jana.tour@form.test",
        },
        {
            content: "Company",
            trigger: "form#contactus_form input[name=partner_name]",
            run: "edit Nowak Sp. z o.o.",
        },
        {
            content: "Subject",
            trigger: "form#contactus_form input[name=name]",
            run: "edit Opening hours",
        },
        {
            content: "Question",
            trigger: "form#contactus_form textarea[name=description]",
            run: "edit When are you open?",
        },
        {
            content: "Tick the newsletter",
            trigger:
                "form#contactus_form label:contains('Yes, send me the monthly newsletter')",
            run: "click",
        },
        {
            content: "The newsletter box is ticked",
            trigger: "form#contactus_form .o_crm_gdpr_consent_box input:checked",
        },
        {
            content: "Send",
            trigger: "form#contactus_form .s_website_form_send",
            run: "click",
        },
        {
            content: "The thank-you page",
            trigger: "#wrap:has(h1:contains('Thank You!'))",
        },
    ],
});
