from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from ..models.sale_policy_protected_mixin import policy_privileged
from .test_tracking import NOW, TrackingCase


@tagged("post_install", "-at_install")
class TestDetectors(TrackingCase):
    def test_late_delivery_boundary_no_duplicate_auto_resolve(self):
        with freeze_time(NOW):
            order = self._confirmed(commitment_date=NOW + timedelta(days=1))
        with freeze_time(NOW + timedelta(days=1)):
            self.Exc._cron_detect()
            self.assertFalse(
                self._open(order, "late_delivery"), "on the committed second: not late"
            )
        with freeze_time(NOW + timedelta(days=1, seconds=1)):
            self.Exc._cron_detect()
            exc = self._open(order, "late_delivery")
            self.assertEqual(len(exc), 1)
            self.assertEqual(exc.origin, "auto")
            self.assertEqual(exc.picking_id, order.picking_ids)
            self.assertEqual(exc.user_id, self.salesman)
            self.assertIn(order.name, exc.description)
            self.Exc._cron_detect()
            self.assertEqual(
                self.Exc.search_count(
                    [("order_id", "=", order.id), ("code", "=", "late_delivery")]
                ),
                1,
            )
        with freeze_time(NOW + timedelta(days=2)):
            self._deliver(order)
            self.assertEqual(exc.state, "resolved")
            self.assertTrue(exc.auto_resolved)
            self.assertIn("fully delivered", exc.resolution)
            self.assertFalse(exc.activity_ids)

    def test_stock_shortage_boundary_no_duplicate_auto_resolve(self):
        with freeze_time(NOW):
            order = self._confirmed(
                lines=[(self.product_no_stock, 5, 40.0)], commitment_date=NOW + timedelta(days=4)
            )
        with freeze_time(NOW + timedelta(days=1) - timedelta(seconds=1)):
            self.Exc._cron_detect()
            self.assertFalse(self._open(order, "stock_shortage"))
        with freeze_time(NOW + timedelta(days=1)):
            self.Exc._cron_detect()
            self.Exc._cron_detect()
            exc = self._open(order, "stock_shortage")
            self.assertEqual(len(exc), 1)
            self.assertEqual(exc.picking_id, order.picking_ids)
            self.env["stock.quant"]._update_available_quantity(
                self.product_no_stock, self.warehouse_stock.lot_stock_id, 10.0
            )
            order.picking_ids.action_assign()
            self.assertEqual(order.picking_ids.state, "assigned")
            self.assertEqual(exc.state, "resolved")
            self.assertIn("ready", exc.resolution)

    def test_payment_overdue_boundary_no_duplicate_auto_resolve(self):
        with freeze_time(NOW):
            order = self._confirmed()
            self._deliver(order)
            invoice = self._invoice(order)
            # 30 days payment terms.
            self.assertEqual(invoice.invoice_date_due, NOW.date() + timedelta(days=30))
        # Due on day 30 + 5 grace days: on day 35 not yet, on day 36 overdue.
        with freeze_time(NOW + timedelta(days=35)):
            self.Exc._cron_detect()
            self.assertFalse(self._open(order, "payment_overdue"))
        with freeze_time(NOW + timedelta(days=36)):
            self.Exc._cron_detect()
            self.Exc._cron_detect()
            exc = self._open(order, "payment_overdue")
            self.assertEqual(len(exc), 1)
            self.assertEqual(exc.invoice_id, invoice)
            self.assertTrue(exc.blocking)
            self._pay(invoice)
            self.assertEqual(exc.state, "resolved")
            self.assertIn("overdue", exc.resolution)

    def test_credit_boundary_no_duplicate_auto_resolve(self):
        order = self._confirmed()
        exposure = order.amount_total
        self.customer.credit_limit = exposure
        self.Exc._cron_detect()
        self.assertFalse(self._open(order, "credit"), "exposure equal to the limit is allowed")
        self.customer.credit_limit = exposure - 0.01
        self.Exc._cron_detect()
        self.Exc._cron_detect()
        exc = self._open(order, "credit")
        self.assertEqual(len(exc), 1)
        self.assertEqual(exc.user_id, self.sales_head, "credit exceptions go to the team leader")
        self.customer.credit_limit = exposure * 2
        self.Exc._cron_detect()
        self.assertEqual(exc.state, "resolved")
        self.assertIn("credit limit", exc.resolution)

    def test_detection_queries_do_not_grow_with_orders(self):
        """Grouped SQL: a detection run costs the same with 2 or 6 late orders."""

        def steady_queries():
            self.Exc._cron_detect()  # raises what is new
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Exc._cron_detect()
            return self.env.cr.sql_log_count - before

        with freeze_time(NOW):
            first = self._confirmed(commitment_date=NOW + timedelta(days=1))
            self._confirmed(commitment_date=NOW + timedelta(days=1))
        with freeze_time(NOW + timedelta(days=2)):
            few = steady_queries()
        with freeze_time(NOW):
            for _i in range(4):
                self._confirmed(commitment_date=NOW + timedelta(days=1))
        with freeze_time(NOW + timedelta(days=2)):
            many = steady_queries()
        self.assertEqual(few, many)
        self.assertEqual(
            self.Exc.search_count([("code", "=", "late_delivery"), ("state", "=", "open")]), 6
        )
        self.assertEqual(len(self._open(first, "late_delivery")), 1)

    def test_cancelling_the_order_closes_its_exceptions(self):
        order = self._confirmed()
        exc = self.Exc._policy_raise(order, "logistics", "Carrier lost the truck")
        with policy_privileged():  # as an approved cancellation request applies it
            order._action_cancel()
        self.assertEqual(exc.state, "cancelled")

    def test_escalation_past_deadline(self):
        with freeze_time(NOW):
            order = self._confirmed()
            exc = self.Exc._policy_raise(order, "quality", "Scratched valves")
            self.assertEqual(exc.deadline, NOW + timedelta(hours=48))
        with freeze_time(NOW + timedelta(hours=47)):
            self.Exc._cron_detect()
            self.assertFalse(exc.escalated_on)
        with freeze_time(NOW + timedelta(hours=49)):
            self.Exc._cron_detect()
            self.assertEqual(exc.escalated_on, NOW + timedelta(hours=49))
            leader_activity = exc.activity_ids.filtered(lambda a: a.user_id == self.sales_head)
            self.assertEqual(len(leader_activity), 1)
            self.assertIn(
                "escalate", order.sudo().policy_log_ids.mapped("event"), "escalation is logged"
            )
            self.Exc._cron_detect()
            self.assertEqual(
                len(exc.activity_ids.filtered(lambda a: a.user_id == self.sales_head)), 1
            )


@tagged("post_install", "-at_install")
class TestBlocking(TrackingCase):
    def test_blocked_delivery_then_logged_override(self):
        order = self._confirmed()
        exc = self.Exc._policy_raise(order, "customer_change", "Customer asks to hold the goods")
        self.assertTrue(exc.blocking and exc.block_delivery and exc.block_invoice)
        picking = order.picking_ids
        with self.assertRaisesRegex(UserError, "Customer Change"):
            picking.with_user(self.warehouse).sudo().button_validate()
        with self.assertRaises(UserError):
            picking._action_done()
        self.assertTrue(order.policy_exception_blocking)
        self.assertEqual(order.policy_exception_count, 1)
        # A salesperson cannot override; a sales manager can, with a reason.
        with self.assertRaises(AccessError):
            exc.with_user(self.salesman)._policy_override("I want it")
        wizard = (
            self.env["sale.policy.exception.override"]
            .with_user(self.sales_head)
            .create({"exception_ids": exc.ids, "reason": "Customer confirmed by phone"})
        )
        with self.assertRaises(UserError):
            exc.with_user(self.sales_head)._policy_override("  ")
        wizard.action_override()
        self.assertEqual(exc.overridden_by_id, self.sales_head)
        self.assertEqual(exc.state, "open", "an override does not resolve the exception")
        log = order.sudo().policy_log_ids.filtered(lambda line: line.event == "override")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, self.sales_head)
        self.assertIn("Customer confirmed by phone", log.comment)
        self._deliver(order)
        self.assertEqual(picking.state, "done")

    def test_blocked_invoice_then_logged_override(self):
        order = self._confirmed()
        self._deliver(order)
        exc = self.Exc._policy_raise(order, "customer_change", "Price dispute")
        invoice = order._create_invoices()
        with self.assertRaisesRegex(UserError, "Customer Change"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")
        exc.with_user(self.sales_head)._policy_override("Finance agreed")
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertIn("override", order.sudo().policy_log_ids.mapped("event"))

    def test_delivery_only_type_does_not_block_invoice(self):
        order = self._confirmed()
        self._deliver(order)
        self.Exc._policy_raise(order, "credit", "Over the limit")
        invoice = self._invoice(order)
        self.assertEqual(invoice.state, "posted")

    def test_resolving_releases_the_block(self):
        order = self._confirmed()
        exc = self.Exc._policy_raise(order, "customer_change", "Hold")
        exc.resolution = "Customer confirmed the original order"
        exc.with_user(self.salesman).action_resolve()
        self._deliver(order)
        self.assertEqual(order.execution_status, "delivered")


@tagged("post_install", "-at_install")
class TestManualAndAccess(TrackingCase):
    def test_manual_raise_resolve_requires_resolution(self):
        order = self._confirmed()
        action = order.with_user(self.salesman).action_policy_raise_exception()
        form = Form(
            self.env["sale.policy.exception"]
            .with_user(self.salesman)
            .with_context(**action["context"])
        )
        form.type_id = self.env.ref("sale_order_policy.exception_type_quality")
        form.description = "Two valves leak"
        exc = form.save()
        self.assertEqual(exc.order_id, order)
        self.assertEqual(exc.state, "open")
        self.assertEqual(exc.origin, "manual")
        self.assertEqual(exc.severity, "high")
        self.assertEqual(exc.user_id, self.salesman)
        self.assertEqual(exc.activity_ids.user_id, self.salesman)
        self.assertIn(self.salesman.partner_id, exc.message_partner_ids)
        # No second open exception of the same type on the order.
        with self.assertRaises(UserError):
            self.env["sale.policy.exception"].with_user(self.salesman).create(
                {"order_id": order.id, "type_id": exc.type_id.id, "description": "again"}
            )
        self.assertEqual(self.Exc._policy_raise(order, "quality", "again"), exc)

        exc.with_user(self.salesman).action_start()
        self.assertEqual(exc.state, "in_progress")
        with self.assertRaisesRegex(UserError, "resolution"):
            exc.with_user(self.salesman).action_resolve()
        exc.with_user(self.salesman).message_post(
            body="Called the customer: replacement agreed", message_type="comment"
        )
        exc.with_user(self.salesman).resolution = "Replaced the two valves"
        exc.with_user(self.salesman).action_resolve()
        self.assertEqual(exc.state, "resolved")
        self.assertEqual(exc.resolved_by_id, self.salesman)
        self.assertFalse(exc.activity_ids)
        self.assertEqual(order.policy_exception_count, 0)
        events = order.sudo().policy_log_ids.filtered(lambda line: line.event == "exception")
        self.assertEqual(len(events), 2, "raised and resolved are both logged")
        with self.assertRaises(UserError):
            exc.with_user(self.salesman).action_resolve()

    def test_api_raise_links_and_auto_resolve(self):
        order = self._confirmed()
        other = self._confirmed()
        picking = order.picking_ids
        exc = self.Exc._policy_raise(order, "quality", "Dented", picking=picking, severity="low")
        self.assertEqual(exc.picking_id, picking)
        self.assertEqual(exc.severity, "low")
        self.assertEqual(self.Exc._policy_raise(order, "quality", "Dented again"), exc)
        kept = self.Exc._policy_raise(other, "quality", "Scratched")
        resolved = self.Exc._policy_auto_resolve(order | other, "logistics", "n/a")
        self.assertFalse(resolved, "only the given code is resolved")
        resolved = self.Exc._policy_auto_resolve(order, "quality", "Customer accepted a discount")
        self.assertEqual(resolved, exc)
        self.assertEqual(exc.state, "resolved")
        self.assertTrue(exc.auto_resolved)
        self.assertEqual(exc.resolution, "Customer accepted a discount")
        self.assertEqual(kept.state, "open")
        again = self.Exc._policy_raise(order, "quality", "New complaint")
        self.assertNotEqual(again, exc, "a resolved exception does not prevent a new one")
        with self.assertRaises(UserError):
            self.Exc._policy_raise(order, "no_such_code", "?")

    def test_state_only_through_buttons(self):
        order = self._confirmed()
        exc = self.Exc._policy_raise(order, "other", "Something odd")
        with self.assertRaises(UserError):
            exc.with_user(self.salesman).write({"state": "resolved"})
        blocking = self.Exc._policy_raise(order, "customer_change", "Hold")
        with self.assertRaises(UserError):
            blocking.with_user(self.salesman).write({"blocking": False})
        with self.assertRaises(UserError):
            blocking.with_user(self.salesman).write({"order_id": self._confirmed().id})
        blocking.with_user(self.salesman).write({"resolution": "Customer confirmed"})
        blocking.with_user(self.salesman).action_resolve()
        with self.assertRaises(UserError):
            blocking.with_user(self.salesman).write({"resolution": "Rewritten history"})
        with self.assertRaises(UserError):
            exc.with_user(self.sales_head).sudo().unlink()

    def test_access_who_sees_and_resolves(self):
        order = self._confirmed()
        quality = self.Exc._policy_raise(order, "quality", "Leak")
        credit = self.Exc._policy_raise(order, "credit", "Over limit")
        Exc = self.env["sale.policy.exception"]
        # The order's salesperson sees both; another salesperson sees neither.
        self.assertEqual(
            Exc.with_user(self.salesman).search([("order_id", "=", order.id)]), quality | credit
        )
        self.assertFalse(Exc.with_user(self.salesman_other).search([("order_id", "=", order.id)]))
        with self.assertRaises(AccessError):
            quality.with_user(self.salesman_other).read(["state"])
        # Finance reads the credit exception only, and cannot resolve it.
        self.assertEqual(Exc.with_user(self.finance).search([("order_id", "=", order.id)]), credit)
        credit.resolution = "Paid in advance"
        with self.assertRaises(AccessError):
            credit.with_user(self.finance).action_resolve()
        # The warehouse reads the quality exception.
        self.assertEqual(
            Exc.with_user(self.warehouse).search([("order_id", "=", order.id)]), quality
        )
        # The team leader (owner of credit exceptions) resolves; the GM sees all.
        credit.with_user(self.sales_head).action_resolve()
        self.assertEqual(credit.state, "resolved")
        self.assertEqual(
            Exc.with_user(self.gm).search([("order_id", "=", order.id)]), quality | credit
        )
        # Another salesperson cannot raise on an order they cannot read.
        with self.assertRaises(AccessError):
            Exc.with_user(self.salesman_other).create(
                {
                    "order_id": order.id,
                    "type_id": self.env.ref("sale_order_policy.exception_type_other").id,
                    "description": "not mine",
                }
            )

    def test_banner_fields_and_raise_button_only_when_confirmed(self):
        draft = self._make_order()
        with self.assertRaises(UserError):
            draft.with_user(self.salesman).action_policy_raise_exception()
        order = self._confirmed()
        self.Exc._policy_raise(order, "logistics", "Road closed")
        self.assertEqual(order.policy_exception_count, 1)
        self.assertEqual(order.policy_exception_summary, "Logistics Problem")
        action = order.action_policy_view_exceptions()
        self.assertEqual(action["domain"], [("order_id", "=", order.id)])

    def test_admin_defined_type(self):
        packaging = self.env["sale.policy.exception.type"].create(
            {
                "name": "Packaging",
                "code": "packaging",
                "owner_rule": "user",
                "owner_user_id": self.warehouse.id,
                "deadline_hours": 4,
                "blocking": True,
                "block_delivery": False,
                "block_invoice": True,
            }
        )
        with freeze_time(NOW):
            order = self._confirmed()
            exc = self.Exc._policy_raise(order, "packaging", "Crates missing")
        self.assertEqual(exc.type_id, packaging)
        self.assertEqual(exc.user_id, self.warehouse)
        self.assertEqual(exc.deadline, NOW + timedelta(hours=4))
        self.assertEqual(
            exc.activity_ids.user_id, self.warehouse | self.salesman, "owner and salesperson"
        )
        self._deliver(order)  # blocks invoices only
        with self.assertRaises(UserError):
            self._invoice(order)
