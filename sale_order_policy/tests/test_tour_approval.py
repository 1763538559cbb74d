from odoo.tests import tagged

from .common import SalePolicyHttpCase


@tagged("post_install", "-at_install")
class TestApprovalTour(SalePolicyHttpCase):
    def test_submit_approve_confirm_in_the_browser(self):
        self._make_rule("Sales Head", 10, reviewer_type="team_leader")
        order = self._make_order()
        url = f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}"
        self.start_tour(url, "sale_order_policy_submit_tour", login="sop_salesman")
        self.assertEqual(order.approval_state, "pending")
        self.start_tour(url, "sale_order_policy_approve_tour", login="sop_head")
        self.assertEqual(order.approval_state, "approved")
        self.assertEqual(order.policy_review_ids.decided_by_id, self.sales_head)
        self.assertEqual(order.policy_review_ids.comment, "同意，按期发货")
        self.assertIn(
            "同意，按期发货",
            order.policy_log_ids.filtered(lambda log: log.event == "approve").comment,
        )
        self.start_tour(url, "sale_order_policy_confirm_tour", login="sop_salesman")
        self.assertEqual(order.state, "sale")
