import { registry } from "@web/core/registry";

// Data comes from test_reviewer_order_form.py: a reviewer without any sales group opens
// the order of their pending review and reads all of it, without being able to edit it.
registry.category("web_tour.tours").add("sale_policy_reviewer_order_tour", {
    url: "/odoo/action-sale_order_policy.sale_policy_review_action_my",
    steps: () => [
        {
            content: "My Reviews lists the step waiting for me",
            trigger: ".o_list_view .o_data_row td[name='order_id']:contains('SOP-READ')",
            run: "click",
        },
        {
            content: "Open the order from the review",
            trigger: ".o_form_view button[name='action_open_order']",
            run: "click",
        },
        {
            content: "The order opens with its lines and prices",
            trigger:
                ".o_form_view .o_field_widget[name='order_line'] .o_data_row:contains('Steel Valve'):contains('100.00')",
        },
        {
            content: "The quotation template is shown",
            trigger: ".o_form_view .o_field_widget[name='sale_order_template_id']:contains('Standard Offer')",
        },
        {
            content: "The order is read-only for a reviewer",
            trigger: ".o_form_view .o_form_readonly",
        },
        {
            content: "Open the optional products",
            trigger: "a[role='tab']:contains('Optional Products')",
            run: "click",
        },
        {
            content: "The optional product is listed",
            trigger: ".o_field_widget[name='sale_order_option_ids'] .o_data_row:contains('Copper Pipe')",
        },
        {
            content: "Open the checks",
            trigger: "a[role='tab']:contains('Policy Checks')",
            run: "click",
        },
        {
            content: "The checks of the round are listed",
            trigger: ".o_field_widget[name='policy_check_ids'] .o_data_row",
        },
        {
            content: "Open the reviews",
            trigger: "a[role='tab']:contains('Reviews')",
            run: "click",
        },
        {
            content: "My step is pending",
            trigger: ".o_field_widget[name='policy_review_ids'] .o_data_row:contains('Pending')",
        },
        {
            content: "Open the policy log",
            trigger: "a[role='tab']:contains('Policy Log')",
            run: "click",
        },
        {
            content: "The submission is logged",
            trigger: ".o_field_widget[name='policy_log_ids'] .o_data_row",
        },
    ],
});
