from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestDecisionDialog(SalePolicyCase):
    """Approve and Reject go through one dialog that records the opinion (审批意见)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_finance = cls._make_rule(
            "Finance", 10, reviewer_user_ids=[Command.set(cls.finance.ids)]
        )

    def _submitted(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        return order, order.policy_review_ids

    def _dialog(self, reviews, decision):
        action = reviews.with_user(self.finance)._open_decision_dialog(decision)
        self.assertEqual(action["res_model"], "sale.policy.decision")
        return Form(
            self.env["sale.policy.decision"]
            .with_user(self.finance)
            .with_context(**action["context"])
        )

    def test_approve_with_opinion_recorded_everywhere(self):
        order, review = self._submitted()
        form = self._dialog(review, "approve")
        self.assertIn(order.name, form.summary)
        self.assertIn(self.customer.name, form.summary)
        self.assertIn("Credit", form.summary)
        form.comment = "同意，按期发货"
        result = form.save().action_decide()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.comment, "同意，按期发货")
        approve_log = order.policy_log_ids.filtered(lambda log: log.event == "approve")
        self.assertEqual(approve_log.comment, "同意，按期发货")
        self.assertIn(
            "同意，按期发货",
            order.message_ids[:3].mapped("body")[0] + "".join(order.message_ids.mapped("body")),
        )
        sheet = (
            self.env["ir.actions.report"]
            ._render_qweb_html("sale_order_policy.report_approval_sheet", order.ids)[0]
            .decode()
        )
        self.assertIn("同意，按期发货", sheet)

    def test_reject_needs_a_reason(self):
        _order, review = self._submitted()
        wizard = (
            self.env["sale.policy.decision"]
            .with_user(self.finance)
            .create({"review_ids": review.ids, "decision": "reject"})
        )
        with self.assertRaises(UserError):
            wizard.action_decide()
        self.assertEqual(review.state, "pending")
        wizard.comment = "价格低于成本"
        wizard.action_decide()
        self.assertEqual(review.state, "rejected")

    def test_rule_requires_an_opinion_to_approve(self):
        self.rule_finance.opinion_required = True
        _order, review = self._submitted()
        with self.assertRaises(UserError):
            review.with_user(self.finance).action_approve()
        wizard = (
            self.env["sale.policy.decision"]
            .with_user(self.finance)
            .create({"review_ids": review.ids, "decision": "approve"})
        )
        self.assertTrue(wizard.opinion_required)
        with self.assertRaises(UserError):
            wizard.action_decide()
        wizard.comment = "OK"
        wizard.action_decide()
        self.assertEqual(review.state, "approved")

    def test_bulk_approval_with_one_opinion(self):
        (_o1, r1), (_o2, r2) = self._submitted(), self._submitted()
        reviews = r1 | r2
        wizard = self._dialog(reviews, "approve").save()
        wizard.comment = "批量同意"
        wizard.action_decide()
        self.assertEqual(reviews.mapped("state"), ["approved", "approved"])
        self.assertEqual(reviews.mapped("comment"), ["批量同意", "批量同意"])

    def test_dialog_refused_to_someone_who_cannot_decide(self):
        _order, review = self._submitted()
        with self.assertRaises(UserError):
            review.with_user(self.salesman_other)._open_decision_dialog("approve")
