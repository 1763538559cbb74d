/** @odoo-module **/

import { registry } from "@web/core/registry";

// Data comes from the Python test: this month's scorecards of the Policy Team.
registry.category("web_tour.tours").add("sale_policy_kpi_dashboard", {
    url: "/odoo/action-sale_order_policy.sale_policy_kpi_scorecard_action",
    steps: () => [
        {
            content: "Sue leads the team ranking",
            trigger: ".o_kanban_record:contains('Salesman Sue'):contains('#1/2')",
        },
        {
            content: "Sam's scorecard shows his accuracy",
            trigger: ".o_kanban_record:contains('Salesman Sam'):contains('#2/2') [name=accuracy]:contains('50')",
        },
    ],
});

registry.category("web_tour.tours").add("sale_policy_kpi_export", {
    url: "/odoo/action-sale_order_policy.sale_policy_kpi_export_action",
    steps: () => {
        const today = luxon.DateTime.now();
        return [
            {
                content: "Start of the period: this month",
                trigger: ".modal .o_field_widget[name=date_from] input",
                run: `edit ${today.startOf("month").toFormat("MM/dd/yyyy")}`,
            },
            {
                content: "End of the period",
                trigger: ".modal .o_field_widget[name=date_to] input",
                run: `edit ${today.endOf("month").toFormat("MM/dd/yyyy")}`,
            },
            {
                content: "Export the workbook",
                trigger: ".modal button[name=action_export_xlsx]",
                run: "click",
            },
            {
                content: "The download has started: the buttons are enabled again",
                trigger: ".modal button[name=action_export_xlsx]:enabled",
            },
        ];
    },
});
