from odoo.tests import tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestPolicyGateQueries(SalePolicyCase):
    """Confirming an approved order costs at most 5 queries over the same confirmation with
    the policy disabled: the gate, the audit log line and the trigger of the hand-off to
    the warehouse (issue #3 target; the comparison with Odoo without the module and the
    timings are in benchmarks/bench_approval.py)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._make_rule("Sales Head", 10, reviewer_type="team_leader")
        cls.products = cls._make_stocked_products(10, "Gate Part", 30.0)

    def _confirm(self, policy_enabled):
        self.company.sale_policy_enabled = policy_enabled
        order = self._make_order(
            lines=[(product, 2, product.list_price) for product in self.products]
        )
        if policy_enabled:
            order.with_user(self.salesman).action_submit_for_review()
            review = order.policy_review_ids.filtered(lambda r: r.state == "pending")
            review.with_user(self.sales_head).action_approve()
            self.assertEqual(order.approval_state, "approved")
        queries = self._count_queries(order.with_user(self.salesman).action_confirm)
        self.assertEqual(order.state, "sale")
        self.env["sale.order"]._cron_policy_hand_off()  # right after commit
        return order, queries

    def test_gate_overhead_on_confirm(self):
        # Warm-up of both paths: ormcaches, sequences, first followers.
        for _run in range(2):
            self._confirm(False)
            self._confirm(True)
        plain_order, plain = self._confirm(False)
        gated_order, gated = self._confirm(True)
        self.assertLessEqual(
            gated - plain, 5, f"queries of action_confirm: {plain} plain, {gated} gated"
        )
        # The gate did its work: the confirmation is logged and handed off on the gated
        # order only.
        self.assertIn("confirm", gated_order.policy_log_ids.mapped("event"))
        self.assertFalse(plain_order.policy_log_ids)
        handoff = self.env.ref("sale_order_policy.mail_activity_type_policy_handoff")
        self.assertIn(handoff, gated_order.picking_ids.activity_ids.activity_type_id)
        self.assertNotIn(handoff, plain_order.picking_ids.activity_ids.activity_type_id)
