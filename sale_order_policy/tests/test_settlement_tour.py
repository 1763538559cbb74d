from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestSettlementTour(HttpCase):
    """Finance uses the aging report and sends a reminder in the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Aging Customer", "email": "ar@aging.example.com", "is_company": True}
        )
        income = cls.env["account.account"].search(
            [("company_ids", "in", cls.env.company.id), ("account_type", "=", "income")],
            limit=1,
        )
        today = fields.Date.context_today(cls.env["res.partner"])
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": today - timedelta(days=40),
                "invoice_payment_term_id": False,
                "invoice_date_due": today - timedelta(days=10),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Valves",
                            "price_unit": 1234.0,
                            "account_id": income.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.invoice.action_post()
        # The shipped levels (not those of the demo company) serve the test's company.
        levels = (
            cls.env.ref("sale_order_policy.sale_policy_dunning_level_1")
            | cls.env.ref("sale_order_policy.sale_policy_dunning_level_2")
            | cls.env.ref("sale_order_policy.sale_policy_dunning_level_3")
        )
        levels.company_id = cls.env.company

    def test_aging_pivot_list_and_drill_down(self):
        self.start_tour(
            "/odoo/action-sale_order_policy.sale_policy_aging_report_action",
            "sale_policy_aging_tour",
            login="admin",
        )

    def test_send_reminder_now_from_the_customer(self):
        self.start_tour(
            f"/odoo/action-base.action_partner_form/{self.customer.id}",
            "sale_policy_dunning_tour",
            login="admin",
        )
        letter = self.env["sale.policy.dunning.log"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(letter), 1)
        self.assertTrue(letter.manual)
        self.assertEqual(letter.move_ids, self.invoice)
        self.assertEqual(letter.level_id.days_overdue, 7)
