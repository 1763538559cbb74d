from odoo import Command, fields
from odoo.tests import tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestHandOffOptionalApps(SalePolicyCase):
    """Hand-off (订单分发) to the manufacturing and purchase orders that the confirmation
    creates. Manufacturing and Purchase are optional apps, not dependencies of the module;
    `make test-db` installs them (TEST_EXTRA_MODULES) so that this runs for real."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mto = cls.env.ref("stock.route_warehouse0_mto")
        cls.mto.active = True
        cls.handoff_type = cls.env.ref("sale_order_policy.mail_activity_type_policy_handoff")
        # The warehouse contact gets the deliveries' hand-off, not the MO's or the PO's.
        cls.company.sale_policy_handoff_user_id = cls.warehouse

    def _confirm(self, product):
        order = self._make_order(lines=[(product, 1, 100.0)], policy_special_requirements="加急")
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "approved")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.policy_handoff_pending)
        self.env["sale.order"]._cron_policy_hand_off()
        self.assertFalse(order.policy_handoff_pending)
        return order

    def _handoff_activity(self, record):
        return record.activity_ids.filtered(lambda a: a.activity_type_id == self.handoff_type)

    def _assert_handed_off(self, record, order, user):
        notes = record.message_ids.filtered(lambda m: "Hand-off" in (m.body or ""))
        self.assertEqual(len(notes), 1, "one hand-off note on %s" % record.display_name)
        self.assertIn(order.name, notes.body)
        self.assertIn("加急", notes.body)
        self.assertIn("Committed delivery date", notes.body)
        activity = self._handoff_activity(record)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, user)
        self.assertEqual(activity.summary, f"Prepare {order.name}")
        self.assertIn("加急", activity.note)
        # Assigned on behalf of the salesperson who confirmed.
        self.assertEqual(activity.create_uid, self.salesman)

    def test_manufacturing_order_hand_off(self):
        product = self.env["product.product"].create(
            {
                "name": "Custom Valve",
                "is_storable": True,
                "route_ids": [
                    Command.set([self.mto.id, self.env.ref("mrp.route_warehouse0_manufacture").id])
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
        self.assertEqual(production.product_id, product)
        self.assertEqual(production.origin, order.name)
        self.assertEqual(
            [dept for dept, _records in order._policy_hand_off_documents()],
            ["warehouse", "production"],
        )
        # mrp leaves a procured MO without a responsible; there is no production hand-off
        # contact, so the salesperson gets the activity (_policy_hand_off_user).
        self.assertFalse(production.user_id)
        self._assert_handed_off(production, order, self.salesman)
        # Due on the MO's planned start, in the confirming salesperson's time zone.
        self.assertEqual(
            self._handoff_activity(production).date_deadline,
            fields.Datetime.context_timestamp(
                order.with_user(self.salesman), production.date_start
            ).date(),
        )
        # The delivery still gets its own note and goes to the warehouse contact.
        self.assertIn("加急", order.picking_ids.policy_handoff_note)
        self.assertEqual(self._handoff_activity(order.picking_ids).user_id, self.warehouse)

    def test_purchase_order_hand_off(self):
        # The vendor's buyer becomes the RFQ's purchase representative, who gets the hand-off.
        vendor = self.env["res.partner"].create(
            {"name": "Valve Supplier", "buyer_id": self.purchaser.id}
        )
        product = self.env["product.product"].create(
            {
                "name": "Bought Valve",
                "is_storable": True,
                "seller_ids": [Command.create({"partner_id": vendor.id, "price": 50.0})],
                "route_ids": [
                    Command.set(
                        [self.mto.id, self.env.ref("purchase_stock.route_warehouse0_buy").id]
                    )
                ],
            }
        )
        order = self._confirm(product)
        purchase = order._get_purchase_orders()
        self.assertEqual(len(purchase), 1)
        self.assertEqual(purchase.state, "draft", "an RFQ")
        self.assertEqual(purchase.partner_id, vendor)
        self.assertEqual(purchase.order_line.product_id, product)
        self.assertEqual(purchase.user_id, self.purchaser)
        self.assertEqual(
            [dept for dept, _records in order._policy_hand_off_documents()],
            ["warehouse", "purchase"],
        )
        self._assert_handed_off(purchase, order, self.purchaser)

    def test_purchase_order_without_buyer_goes_to_the_salesperson(self):
        vendor = self.env["res.partner"].create({"name": "Pipe Supplier"})
        product = self.env["product.product"].create(
            {
                "name": "Bought Pipe",
                "is_storable": True,
                "seller_ids": [Command.create({"partner_id": vendor.id, "price": 20.0})],
                "route_ids": [
                    Command.set(
                        [self.mto.id, self.env.ref("purchase_stock.route_warehouse0_buy").id]
                    )
                ],
            }
        )
        order = self._confirm(product)
        purchase = order._get_purchase_orders()
        self.assertEqual(len(purchase), 1)
        self.assertFalse(purchase.user_id)
        self._assert_handed_off(purchase, order, self.salesman)
