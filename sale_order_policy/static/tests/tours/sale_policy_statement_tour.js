/** @odoo-module **/

import { registry } from "@web/core/registry";

// Data comes from the Python test (test_statement.py): a sent statement whose closing
// balance is 1,600.00, opened by its customer through the e-mailed portal link.
registry.category("web_tour.tours").add("sale_policy_statement_tour", {
    steps: () => [
        {
            content: "The statement shows its closing balance",
            trigger: ".o_statement_closing:contains(1,600.00)",
        },
        {
            content: "Each document is listed",
            trigger: ".o_sale_policy_statement_portal td:contains(Payment)",
        },
        {
            content: "Add a comment",
            trigger: ".o_statement_answer textarea[name=note]:not([required])",
            run: "edit Checked by accounts payable",
        },
        {
            content: "Confirm the figures",
            trigger: "button.o_statement_confirm",
            run: "click",
        },
        {
            content: "The confirmation is acknowledged",
            trigger: ".alert-success:contains(you confirmed this statement)",
        },
        {
            content: "No answer can be given twice",
            trigger: "body:not(:has(.o_statement_answer))",
        },
    ],
});
