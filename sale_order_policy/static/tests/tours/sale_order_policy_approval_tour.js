/** @odoo-module **/

import { registry } from "@web/core/registry";

// Data comes from test_tour_approval.py. Three users take turns on the same order.
registry.category("web_tour.tours").add("sale_order_policy_submit_tour", {
    steps: () => [
        {
            content: "Submit the quotation for review",
            trigger: "button[name='action_submit_for_review']",
            run: "click",
        },
        {
            content: "The order is under review",
            trigger: ".o_field_widget[name='policy_status'] span:contains('Under Review')",
        },
        {
            content: "It cannot be confirmed while under review",
            trigger: ".o_form_view:not(:has(button[name='action_confirm']:visible))",
        },
        {
            content: "Open the Reviews tab",
            trigger: "a[role='tab']:contains('Reviews')",
            run: "click",
        },
        {
            content: "The sales head's step is pending",
            trigger: ".o_field_widget[name='policy_review_ids'] td:contains('Sales Head')",
        },
    ],
});

registry.category("web_tour.tours").add("sale_order_policy_approve_tour", {
    steps: () => [
        {
            content: "Approve the order as its reviewer",
            trigger: "button[name='action_policy_approve']",
            run: "click",
        },
        {
            content: "The decision dialog shows the order and takes an opinion",
            trigger: ".modal .o_field_widget[name='summary']:contains('Sales Head')",
        },
        {
            content: "Write the opinion",
            trigger: ".modal .o_field_widget[name='comment'] textarea",
            run: "edit 同意，按期发货",
        },
        {
            content: "Approve",
            trigger: ".modal footer button[name='action_decide']:visible",
            run: "click",
        },
        {
            content: "The order is approved",
            trigger: ".o_field_widget[name='policy_status'] span:contains('Approved')",
        },
    ],
});

registry.category("web_tour.tours").add("sale_order_policy_confirm_tour", {
    steps: () => [
        {
            content: "Confirm the approved order",
            trigger: "button[name='action_confirm']:visible",
            run: "click",
        },
        {
            content: "The order is a sales order",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Sales Order')",
        },
    ],
});
