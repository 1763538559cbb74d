/** @odoo-module **/

import { registry } from "@web/core/registry";

// Data comes from the Python test (test_settlement_tour.py).

// Receivables aging: the pivot by customer, the list, drill-down to the invoice.
registry.category("web_tour.tours").add("sale_policy_aging_tour", {
    steps: () => [
        {
            content: "The pivot groups the open amounts by customer",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains(Tour Aging Customer)",
        },
        {
            content: "Aging periods are the columns",
            trigger: ".o_pivot th:contains(Not Due)",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Open the customer's group",
            trigger: ".o_group_header:contains(Tour Aging Customer)",
            run: "click",
        },
        {
            content: "Drill down to the invoice",
            trigger: ".o_data_row:contains(Tour Aging Customer) .o_data_cell[name='residual']",
            run: "click",
        },
        {
            content: "The invoice opens",
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains(Tour Aging Customer)",
        },
    ],
});

// Dunning: "Send Reminder Now" from the customer, then the history.
registry.category("web_tour.tours").add("sale_policy_dunning_tour", {
    steps: () => [
        {
            content: "Open the Sales & Purchase tab",
            trigger: ".o_notebook .nav-link:contains(Sales & Purchase)",
            run: "click",
        },
        {
            content: "Send a reminder now",
            trigger: "button[name='action_policy_send_dunning_now']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The letter is in the dunning history",
            trigger: ".o_data_row:contains(Friendly Reminder):contains(Tour Aging Customer)",
        },
    ],
});
