/** @odoo-module **/

import { registry } from "@web/core/registry";

// A reviewer on a phone (390 px wide): test_phone_width.py. Nothing may be wider than the
// screen: the page never scrolls sideways.
function fitsTheScreen(selector) {
    return {
        content: `${selector} fits in the screen width`,
        trigger: selector,
        run() {
            const width = window.innerWidth;
            const page = document.documentElement.scrollWidth;
            if (page > width + 1) {
                throw new Error(`The page is ${page}px wide on a ${width}px screen`);
            }
            const box = this.anchor.getBoundingClientRect();
            if (box.left < -1 || box.right > width + 1) {
                throw new Error(`${selector} overflows: ${box.left}–${box.right} of ${width}px`);
            }
        },
    };
}

registry.category("web_tour.tours").add("sale_policy_phone_my_reviews_kanban", {
    steps: () => [
        {
            content: "My Reviews opens as cards on a phone, with the order to decide",
            trigger: ".o_kanban_view .o_kanban_record:contains('Phone Customer')",
        },
        {
            content: "Its Approve button is on the card",
            trigger: ".o_kanban_record:contains('Phone Customer') button[name='action_open_approve_dialog']:visible",
        },
        fitsTheScreen(".o_kanban_record:contains('Phone Customer')"),
    ],
});

registry.category("web_tour.tours").add("sale_policy_phone_my_reviews_list", {
    steps: () => [
        {
            content: "Open the view switcher (a menu on a phone)",
            trigger: ".o_cp_switch_buttons button",
            run: "click",
        },
        {
            content: "Switch to the list",
            trigger: ".o-dropdown-item:has(i.oi-view-list)",
            run: "click",
        },
        {
            content: "The list of My Reviews shows the order and its step",
            trigger: ".o_list_view .o_data_row:contains('Phone Customer') td[name='name']:contains('Sales Head')",
        },
        fitsTheScreen(".o_action_manager"),
    ],
});

registry.category("web_tour.tours").add("sale_policy_phone_decision_dialog", {
    steps: () => [
        {
            content: "Open the decision dialog from the card",
            trigger: ".o_kanban_record:contains('Phone Customer') button[name='action_open_approve_dialog']",
            run: "click",
        },
        {
            content: "The dialog shows the order summary",
            trigger: ".modal .o_field_widget[name='summary']:contains('Sales Head')",
        },
        {
            content: "Write the opinion",
            trigger: ".modal .o_field_widget[name='comment'] textarea",
            run: "edit 同意",
        },
        fitsTheScreen(".modal .modal-content"),
        fitsTheScreen(".modal footer button[name='action_decide']"),
    ],
});

registry.category("web_tour.tours").add("sale_policy_phone_decide", {
    steps: () => [
        {
            content: "Open the decision dialog from the card",
            trigger: ".o_kanban_record:contains('Phone Customer') button[name='action_open_approve_dialog']",
            run: "click",
        },
        {
            content: "Write the opinion",
            trigger: ".modal .o_field_widget[name='comment'] textarea",
            run: "edit 同意",
        },
        {
            content: "Approve",
            trigger: ".modal footer button[name='action_decide']:visible",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
