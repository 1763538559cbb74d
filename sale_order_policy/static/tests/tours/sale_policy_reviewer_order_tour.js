import { registry } from "@web/core/registry";

// Data comes from test_reviewer_order_form.py: a reviewer without any sales group opens
// the order of their pending review and reads all of it, without being able to edit it.
registry.category("web_tour.tours").add("sale_policy_reviewer_order_tour", {
    url: "/odoo/action-sale_order_policy.sale_policy_review_action_my",
    steps: () => [
        {
            content: "My Reviews lists the step waiting for me",
            trigger: ".o_list_view .o_data_row td[name='subject_name']:contains('SOP-READ')",
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

// Data comes from test_reviewer_order_form.py: finance, warehouse and the general manager
// approve their tier in turn, each with an opinion (审批意见) read back on the order.
registry.category("web_tour.tours").add("sale_policy_reviewer_approve_tour", {
    url: "/odoo/action-sale_order_policy.sale_policy_review_action_my",
    steps: () => [
        {
            content: "My Reviews lists my pending step",
            trigger: ".o_list_view .o_data_row td[name='subject_name']:contains('SOP-APPR')",
            run: "click",
        },
        {
            content: "Open the order from the review",
            trigger: ".o_form_view button[name='action_open_order']",
            run: "click",
        },
        {
            content: "Approve from the order",
            trigger: ".o_form_view button[name='action_policy_approve']",
            run: "click",
        },
        {
            content: "The dialog sums the order up",
            trigger: ".modal .o_field_widget[name='summary']:contains('SOP-APPR')",
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
            content: "Open the reviews",
            trigger: "body:not(:has(.modal)) a[role='tab']:contains('Reviews')",
            run: "click",
        },
        {
            content: "My opinion is on the order",
            trigger: ".o_field_widget[name='policy_review_ids'] .o_data_row:contains('同意，按期发货')",
        },
    ],
});
