from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestOrderExceptionTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.sale_policy_enabled = True
        cls.env["sale.policy.rule"].search([]).write({"active": False})
        product = cls.env["product.product"].create(
            {"name": "Tour Valve", "type": "consu", "is_storable": True, "list_price": 50.0}
        )
        customer = cls.env["res.partner"].create(
            {"name": "Tour Customer 杭州", "email": "tour@customer.example.com"}
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": cls.env.ref("base.user_admin").id,
                "commitment_date": fields.Datetime.now() + timedelta(days=7),
                "payment_term_id": cls.env.ref("account.account_payment_term_30days").id,
                "customer_confirmation_method": "email",
                "intake_channel": "email",
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 3})],
            }
        )
        cls.order.action_submit_for_review()
        cls.order.action_confirm()

    def test_raise_and_resolve_from_the_order(self):
        self.start_tour(
            f"/odoo/action-sale.action_orders/{self.order.id}",
            "sale_policy_exception_tour",
            login="admin",
        )
        exc = self.env["sale.policy.exception"].search([("order_id", "=", self.order.id)])
        self.assertEqual(len(exc), 1)
        self.assertEqual(exc.code, "quality")
        self.assertEqual(exc.state, "resolved")
        self.assertEqual(exc.description, "Two valves leak")
        self.assertIn("Replaced the two valves", exc.resolution)
        self.assertEqual(self.order.policy_exception_count, 0)
