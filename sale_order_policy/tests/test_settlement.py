import ast

from freezegun import freeze_time

from odoo.tests import tagged

from .common_settlement import SalePolicySettlementCase
from .test_after_sales_rating import RatingFlowMixin


@tagged("post_install", "-at_install")
class TestSettlement(RatingFlowMixin, SalePolicySettlementCase):
    """结算: what is invoiced and paid, how long each step took, what finance must settle."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sale_policy_settle_days = 3

    def _to_settle(self):
        action = self.env.ref("sale_order_policy.sale_order_action_to_settle")
        # Finance (not a reviewer of these orders) reads confirmed orders to settle them.
        domain = [*ast.literal_eval(action.domain), ("company_id", "=", self.company.id)]
        return self.env["sale.order"].with_user(self.finance).search(domain)

    def test_to_settle_then_invoiced_then_paid(self):
        order = self._delivered_order("2026-03-01 10:00:00")
        self.assertEqual(str(order.policy_delivered_on), "2026-03-01 10:00:00")
        with freeze_time("2026-03-03 10:00:00"):
            self.assertNotIn(order, self._to_settle(), "still within the 3 settlement days")
        with freeze_time("2026-03-04 11:00:00"):
            self.assertIn(order, self._to_settle())
            order.invalidate_recordset(["policy_to_settle"])
            self.assertTrue(order.policy_to_settle)

        with freeze_time("2026-03-06 10:00:00"):
            invoice = order._create_invoices()
            invoice.action_post()
            self.env.flush_all()  # the milestones are stamped when computed
            self.assertNotIn(order, self._to_settle())
        self.assertEqual(order.policy_invoiced_percent, 100.0)
        self.assertEqual(order.policy_paid_percent, 0.0)
        self.assertEqual(order.policy_open_receivable, order.amount_total)
        self.assertEqual(order.policy_delivery_to_invoice_days, 5.0)
        self.assertEqual(order.policy_invoice_to_payment_days, 0.0)

        total = invoice.amount_total
        with freeze_time("2026-03-16 10:00:00"):
            self._pay(invoice, round(total * 0.4, 2), "2026-03-16")
        self.assertAlmostEqual(order.policy_paid_percent, 40.0, places=1)
        self.assertAlmostEqual(order.policy_open_receivable, total - round(total * 0.4, 2))
        self.assertFalse(order.policy_paid_on, "not settled while something is open")

        with freeze_time("2026-03-21 10:00:00"):
            self._pay(invoice, invoice.amount_residual, "2026-03-21")
            self.env.flush_all()
        self.assertEqual(order.policy_paid_percent, 100.0)
        self.assertEqual(order.policy_open_receivable, 0.0)
        self.assertEqual(str(order.policy_paid_on), "2026-03-21 10:00:00")
        self.assertEqual(order.policy_invoice_to_payment_days, 15.0)

    def test_credit_note_lowers_invoiced_share(self):
        order = self._delivered_order("2026-03-01 10:00:00")
        invoice = order._create_invoices()
        invoice.action_post()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Returned"})
        )
        reversal.refund_moves()
        refund = invoice.reversal_move_ids
        refund.invoice_line_ids.quantity = 1  # half of the 2 valves come back
        refund.action_post()
        self.assertAlmostEqual(order.policy_invoiced_percent, 50.0, places=1)
