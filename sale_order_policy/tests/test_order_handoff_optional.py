from odoo import Command
from odoo.tests import tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestHandOffOptionalApps(SalePolicyCase):
    """Hand-off (订单分发) to manufacturing and purchase when those apps are installed.
    They are optional, not dependencies: without them the hand-off goes to the delivery
    only (the suite counts a skipped test as a failure, so each test checks that case)."""

    def _assert_delivery_only(self):
        order = self._confirm(self.product)
        self.assertEqual(
            [dept for dept, _records in order._policy_hand_off_documents()], ["warehouse"]
        )
        self.assertIn("加急", order.picking_ids.policy_handoff_note)

    def _confirm(self, product):
        order = self._make_order(lines=[(product, 1, 100.0)], policy_special_requirements="加急")
        order.with_user(self.salesman).action_submit_for_review()
        order.with_user(self.salesman).action_confirm()
        self.assertTrue(order.policy_handoff_pending)
        self.env["sale.order"]._cron_policy_hand_off()
        self.assertFalse(order.policy_handoff_pending)
        return order

    def _assert_handed_off(self, record, order, user):
        self.assertIn("Hand-off", record.message_ids.mapped("body")[0])
        self.assertIn("加急", record.message_ids.mapped("body")[0])
        activity = record.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("sale_order_policy.mail_activity_type_policy_handoff")
        )
        self.assertEqual(activity.user_id, user)
        self.assertIn(order.name, activity.summary)

    def test_manufacturing_order_hand_off(self):
        if "mrp.production" not in self.env or "mrp_production_ids" not in self.env["sale.order"]:
            self._assert_delivery_only()
            return
        self.env.ref("stock.route_warehouse0_mto").active = True
        product = self.env["product.product"].create(
            {
                "name": "Custom Valve",
                "is_storable": True,
                "route_ids": [
                    Command.set(
                        [
                            self.env.ref("stock.route_warehouse0_mto").id,
                            self.env.ref("mrp.route_warehouse0_manufacture").id,
                        ]
                    )
                ],
            }
        )
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "bom_line_ids": [Command.create({"product_id": self.product.id, "product_qty": 1})],
            }
        )
        order = self._confirm(product)
        production = order.mrp_production_ids
        self.assertEqual(len(production), 1)
        self._assert_handed_off(production, order, production.user_id or self.salesman)

    def test_purchase_order_hand_off(self):
        if "purchase.order" not in self.env or not hasattr(
            self.env["sale.order"], "_get_purchase_orders"
        ):
            self._assert_delivery_only()
            return
        self.env.ref("stock.route_warehouse0_mto").active = True
        vendor = self.env["res.partner"].create({"name": "Valve Supplier"})
        product = self.env["product.product"].create(
            {
                "name": "Bought Valve",
                "is_storable": True,
                "seller_ids": [Command.create({"partner_id": vendor.id, "price": 50.0})],
                "route_ids": [
                    Command.set(
                        [
                            self.env.ref("stock.route_warehouse0_mto").id,
                            self.env.ref("purchase_stock.route_warehouse0_buy").id,
                        ]
                    )
                ],
            }
        )
        order = self._confirm(product)
        purchase = order._get_purchase_orders()
        self.assertEqual(len(purchase), 1)
        self._assert_handed_off(purchase, order, purchase.user_id or self.salesman)
