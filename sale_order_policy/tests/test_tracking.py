from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..models.sale_policy_protected_mixin import policy_privileged
from .common import SalePolicyCase

NOW = datetime(2026, 3, 2, 9, 0, 0)


class TrackingCase(SalePolicyCase):
    """Confirmed orders, deliveries, invoices and payments for tracking tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Exc = cls.env["sale.policy.exception"]
        cls.company.sale_policy_at_risk_days = 3
        cls.company.sale_policy_overdue_days = 5

    def _confirmed(self, **vals):
        order = self._make_order(**vals)
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "approved")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _deliver(self, order, qty=None):
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.ensure_one()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty if qty is None else qty
            move.picked = True
        picking._action_done()
        return picking

    def _invoice(self, order, **vals):
        invoice = order._create_invoices()
        if vals:
            invoice.write(vals)
        invoice.action_post()
        return invoice

    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()

    def _open(self, order, code):
        return self.Exc.search(
            [
                ("order_id", "=", order.id),
                ("code", "=", code),
                ("state", "in", ("open", "in_progress")),
            ]
        )


@tagged("post_install", "-at_install")
class TestMilestones(TrackingCase):
    def test_milestones_from_confirmation_to_payment(self):
        with freeze_time(NOW):
            order = self._confirmed(commitment_date=NOW + timedelta(days=5))
            self.assertEqual(order.policy_confirmed_on, NOW)
            self.assertEqual(order.policy_submitted_on, NOW)
            self.assertEqual(order.policy_approved_on, NOW)
            self.assertEqual(order.execution_status, "to_deliver")
            self.assertFalse(order.policy_first_delivery_on)
        with freeze_time(NOW + timedelta(days=2)):
            self._deliver(order)
            self.assertEqual(order.policy_first_delivery_on, NOW + timedelta(days=2))
            self.assertEqual(order.policy_delivered_on, NOW + timedelta(days=2))
            self.assertEqual(order.execution_status, "delivered")
            self.assertTrue(order.policy_on_time)
            self.assertEqual(order.policy_delivery_delay_days, 0.0)
        with freeze_time(NOW + timedelta(days=3)):
            invoice = self._invoice(order)
            self.assertEqual(order.policy_invoiced_on, NOW + timedelta(days=3))
            self.assertEqual(order.execution_status, "invoiced")
            self.assertFalse(order.policy_paid_on)
        with freeze_time(NOW + timedelta(days=4)):
            self._pay(invoice)
            order.invalidate_recordset()
            self.assertEqual(order.policy_paid_on, NOW + timedelta(days=4))
            self.assertEqual(order.execution_status, "paid")

    def test_partial_then_late_delivery(self):
        with freeze_time(NOW):
            order = self._confirmed(commitment_date=NOW + timedelta(days=1))
        with freeze_time(NOW + timedelta(hours=12)):
            self._deliver(order, qty=1)
            self.assertEqual(order.execution_status, "partially_delivered")
            self.assertEqual(order.policy_first_delivery_on, NOW + timedelta(hours=12))
            self.assertFalse(order.policy_delivered_on)
        with freeze_time(NOW + timedelta(days=3)):
            self._deliver(order)
            self.assertEqual(order.policy_delivered_on, NOW + timedelta(days=3))
            self.assertFalse(order.policy_on_time)
            self.assertEqual(order.policy_delivery_delay_days, 2.0)
            self.assertEqual(order.execution_status, "delivered")

    def test_cancelled_order(self):
        order = self._confirmed()
        with policy_privileged():  # as an approved cancellation request applies it
            order._action_cancel()
        self.assertEqual(order.execution_status, "cancelled")

    def test_filters_late_at_risk_on_time(self):
        with freeze_time(NOW):
            late = self._confirmed(commitment_date=NOW + timedelta(hours=1))
            at_risk = self._confirmed(
                lines=[(self.product_no_stock, 1, 40.0)], commitment_date=NOW + timedelta(days=2)
            )
            far = self._confirmed(
                lines=[(self.product_no_stock, 1, 40.0)], commitment_date=NOW + timedelta(days=9)
            )
            on_time = self._confirmed(commitment_date=NOW + timedelta(days=2))
            self._deliver(on_time)
        with freeze_time(NOW + timedelta(hours=2)):
            orders = late | at_risk | far | on_time
            Order = self.env["sale.order"].with_user(self.sales_head)
            scope = [("id", "in", orders.ids)]
            self.assertEqual(Order.search(scope + [("policy_late", "=", True)]), late)
            self.assertEqual(Order.search(scope + [("policy_at_risk", "=", True)]), at_risk)
            self.assertEqual(Order.search(scope + [("policy_on_time", "=", True)]), on_time)
            self.assertTrue(late.policy_late)
            self.assertTrue(at_risk.policy_at_risk)
            self.assertFalse(far.policy_at_risk)

    def test_hand_off_query_cost(self):
        """The hand-off costs the same queries per order, whatever its number of lines."""
        products = self.env["product.product"].create(
            [{"name": f"Part {i}", "is_storable": True, "list_price": 10.0} for i in range(10)]
        )
        for product in products:
            self.env["stock.quant"]._update_available_quantity(
                product, self.warehouse_stock.lot_stock_id, 100.0
            )

        def cost(lines):
            order = self._confirmed(lines=lines)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            order._policy_hand_off()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        cost([(products[0], 1, 10.0)])  # warm-up
        one = cost([(products[0], 1, 10.0)])
        ten = cost([(product, 1, 10.0) for product in products])
        self.assertEqual(one, ten)
        self.assertLessEqual(one, 40)  # cold cache: reads the order, delivery, users once

    def test_hand_off_note_and_activity(self):
        self.company.sale_policy_handoff_user_id = self.warehouse
        cron = self.env.ref("sale_order_policy.ir_cron_sale_policy_hand_off")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        order = self._confirmed(policy_special_requirements="木箱包装 / wooden crates")
        picking = order.picking_ids
        # Right after commit: the confirmation triggers the hand-off cron.
        self.assertTrue(order.policy_handoff_pending)
        self.assertFalse(picking.policy_handoff_note)
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers
        )
        self.env["sale.order"]._cron_policy_hand_off()
        self.assertFalse(order.policy_handoff_pending)
        self.assertIn("wooden crates", picking.policy_handoff_note)
        self.assertIn(order.name, picking.policy_handoff_note)
        self.assertIn("Committed delivery date", picking.policy_handoff_note)
        activity = picking.activity_ids.filtered(
            lambda a: a.activity_type_id
            == self.env.ref("sale_order_policy.mail_activity_type_policy_handoff")
        )
        self.assertEqual(activity.user_id, self.warehouse)
        self.assertIn("wooden crates", activity.note)
        # Assigned on behalf of the salesperson who confirmed.
        self.assertEqual(activity.create_uid, self.salesman)
        self.env["sale.order"]._cron_policy_hand_off()
        self.assertEqual(len(picking.activity_ids.filtered(lambda a: a == activity)), 1)
        self.assertEqual(
            len(
                picking.activity_ids.filtered(
                    lambda a: a.activity_type_id == activity.activity_type_id
                )
            ),
            1,
            "handed off once",
        )
        # Due on the delivery's planned day; the warehouse is told right after commit.
        self.assertEqual(
            activity.date_deadline,
            fields.Datetime.context_timestamp(picking, picking.scheduled_date).date(),
        )
        self.assertTrue(activity.policy_notify_pending)
        self.env["mail.activity"]._cron_policy_notify()
        self.assertFalse(activity.policy_notify_pending)
        self.assertTrue(
            self.env["mail.message"].search_count(
                [
                    ("model", "=", "stock.picking"),
                    ("res_id", "=", picking.id),
                    ("partner_ids", "in", self.warehouse.partner_id.ids),
                ]
            )
        )
