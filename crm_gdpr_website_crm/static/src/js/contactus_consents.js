/** @odoo-module **/

import publicWidget from "@web/legacy/js/public/public_widget";

/**
 * Moves the consent boxes rendered beside the contact form into it, before
 * its submit button, when the form creates leads; moves them back when the
 * page is edited, so that the editor never saves them into the page.
 */
publicWidget.registry.CrmGdprContactusConsents = publicWidget.Widget.extend({
    selector: ".s_website_form form[data-model_name='crm.lead']",
    disabledInEditableMode: true,

    start() {
        this.holderEl = this.el.ownerDocument.querySelector(
            `.o_crm_gdpr_consents[data-crm-gdpr-for='${this.el.id}']`
        );
        if (this.holderEl) {
            this.movedEls = [...this.holderEl.children];
            const pageUrlEl = this.holderEl.querySelector("input[name='crm_gdpr_page_url']");
            if (pageUrlEl) {
                pageUrlEl.value = window.location.href;
            }
            const submitEl = this.el.querySelector(".s_website_form_submit");
            if (submitEl) {
                submitEl.before(...this.movedEls);
            } else {
                (this.el.querySelector(".s_website_form_rows") || this.el).append(
                    ...this.movedEls
                );
            }
        }
        return this._super(...arguments);
    },

    destroy() {
        if (this.holderEl && this.movedEls) {
            this.holderEl.append(...this.movedEls);
        }
        this._super(...arguments);
    },
});

export default publicWidget.registry.CrmGdprContactusConsents;
