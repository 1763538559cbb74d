/** @odoo-module **/

import { registry } from "@web/core/registry";

// Raise an exception from a confirmed order, see the red banner, resolve it with a
// resolution. The order is created by the Python test (test_order_exception_tour.py).
registry.category("web_tour.tours").add("sale_policy_exception_tour", {
    steps: () => [
        {
            content: "Raise an exception from the order",
            trigger: ".o_form_view button[name='action_policy_raise_exception']",
            run: "click",
        },
        {
            content: "Choose the type",
            trigger: ".o_field_widget[name='type_id'] input",
            run: "edit Quality",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Quality Complaint)",
            run: "click",
        },
        {
            content: "Describe the problem",
            trigger: ".o_field_widget[name='description'] textarea",
            run: "edit Two valves leak",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The exception is open",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Open)",
        },
        {
            content: "Back to the order",
            trigger: ".o_form_view button[name='action_open_order']",
            run: "click",
        },
        {
            content: "The order shows the red banner",
            trigger: ".o_sale_policy_exception_banner:contains(Quality Complaint)",
        },
        {
            content: "Open the exceptions from the banner",
            trigger: ".o_sale_policy_exception_banner button[name='action_policy_view_exceptions']",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(Quality Complaint) .o_data_cell",
            run: "click",
        },
        {
            content: "Resolving needs a resolution",
            trigger: ".o_form_view button[name='action_resolve']",
            run: "click",
        },
        {
            trigger: ".o_notification:contains(resolution), .modal:contains(resolution)",
        },
        {
            trigger: ".modal button.btn-primary",
            run: "click",
        },
        {
            content: "Record the resolution",
            trigger: ".o_field_widget[name='resolution'] textarea",
            run: "edit Replaced the two valves; customer agreed by phone",
        },
        {
            trigger: ".o_form_view button[name='action_resolve']",
            run: "click",
        },
        {
            content: "The exception is resolved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Resolved)",
        },
    ],
});
