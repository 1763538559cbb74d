import { registry } from "@web/core/registry";

// Data comes from test_review_sla_tour.py: one overdue and one fresh review for the user.
registry.category("web_tour.tours").add("sale_policy_sla_countdown", {
    url: "/odoo/action-sale_order_policy.sale_policy_review_action_my",
    steps: () => [
        {
            content: "the overdue review shows a red badge",
            trigger: ".o_list_view .o_sla_deadline.text-bg-danger:contains(Overdue by 2 h)",
        },
        {
            content: "the fresh review shows a green countdown",
            trigger: ".o_list_view .o_sla_deadline.text-bg-success:contains(left)",
        },
        {
            content: "switch to kanban",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "the kanban card shows the badge too",
            trigger: ".o_kanban_view .o_sla_deadline.text-bg-danger:contains(Overdue by)",
        },
        {
            content: "filter on overdue reviews",
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            trigger: '.o_filter_menu .o_menu_item:contains("Overdue")',
            run: "click",
        },
        {
            content: "drop the default filter, which the overdue one would widen",
            trigger: '.o_filter_menu .o_menu_item:contains("To Decide by Me")',
            run: "click",
        },
        {
            content: "only the overdue review is left",
            trigger: ".o_kanban_view:not(:has(.o_sla_deadline.text-bg-success)) .o_sla_deadline.text-bg-danger",
        },
    ],
});
