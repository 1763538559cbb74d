import { registry } from "@web/core/registry";

// Data comes from test_change_tour.py: a confirmed order of 2 Steel Valves.
registry.category("web_tour.tours").add("sale_policy_change_request", {
    steps: () => [
        {
            content: "The confirmed order offers a change request",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_policy_request_change']",
            run: "click",
        },
        {
            content: "Explain the change",
            trigger: ".o_form_view div[name='reason'] textarea",
            run: "edit The customer needs three more valves",
        },
        {
            content: "Record how the customer confirmed it",
            trigger: ".o_form_view div[name='customer_confirmation_method'] select",
            run: "selectByLabel Written",
        },
        {
            content: "Open the quantity of the valve line",
            trigger: ".o_form_view div[name='line_ids'] .o_data_row:first td[name='new_qty']",
            run: "click",
        },
        {
            content: "Propose 5 valves",
            trigger: ".o_form_view div[name='line_ids'] .o_data_row:first td[name='new_qty'] input",
            run: "edit 5",
        },
        {
            content: "Submit the request",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_submit']",
            run: "click",
        },
        {
            content: "The request waits for the sales head",
            trigger: ".o_form_view .alert-warning:contains('Awaiting approval')",
        },
        {
            content: "Nothing changed yet on the request's statusbar",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Under Review')",
        },
    ],
});

registry.category("web_tour.tours").add("sale_policy_change_approve", {
    steps: () => [
        {
            content: "The order shows the open request",
            trigger: ".o_form_view .alert-info:contains('is under review')",
        },
        {
            content: "The reviewer approves from the order",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_policy_approve']",
            run: "click",
        },
        {
            content: "Approve in the decision dialog, without an opinion",
            trigger: ".modal footer button[name='action_decide']:visible",
            run: "click",
        },
        {
            content: "The order is now revision 1",
            trigger: ".o_form_view .o_policy_revision:contains('Rev. 1')",
        },
        {
            content: "Open the Revisions tab",
            trigger: ".o_form_view .o_notebook a[name='policy_revisions']",
            run: "click",
        },
        {
            content: "The revision says what changed, from what, to what",
            trigger:
                ".o_form_view div[name='policy_revision_ids'] .o_data_row td:contains('Steel Valve: quantity 2.00 → 5.00')",
        },
    ],
});
