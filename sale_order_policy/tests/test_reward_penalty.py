import io

import openpyxl

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestRewardPenalty(SalePolicyCase):
    """The 奖惩 register: a reward or penalty counts only once the general manager approved
    it through the review engine, and nobody rewrites it afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gm_rule = cls.env.ref("sale_order_policy.rule_reward_penalty_general_manager")
        cls.gm_rule.active = True
        cls.order = cls._make_order()

    def _record(self, **vals):
        return (
            self.env["sale.policy.reward.penalty"]
            .with_user(self.sales_head)
            .create(
                {
                    "employee_id": self.salesman.id,
                    "kind": "reward",
                    "amount": 500.0,
                    "reason": "订单准确率100%，当月无差错",
                    "order_ids": [(6, 0, self.order.ids)],
                    **vals,
                }
            )
        )

    def test_reward_needs_general_manager_approval(self):
        record = self._record()
        self.assertTrue(record.name.startswith("JC/"))
        record.action_submit()
        self.assertEqual(record.state, "pending")
        review = record._policy_reviews()
        self.assertEqual(review.department, "management")
        self.assertIn(self.gm, review.reviewer_user_ids)
        self.assertFalse(review.reviewer_user_ids & (self.sales_head | self.salesman))
        # Neither the requester nor the salesperson concerned decides.
        with self.assertRaises(UserError):
            record.with_user(self.sales_head).action_approve("ok")
        record.with_user(self.gm).action_approve("同意奖励")
        self.assertEqual(record.state, "approved")
        self.assertIn(
            record, self.env["sale.policy.reward.penalty"].search([("state", "=", "approved")])
        )

    def test_rejected_then_corrected_and_resubmitted(self):
        record = self._record(kind="fine", amount=200.0, reason="迟报订单")
        record.action_submit()
        record.with_user(self.gm).action_reject("金额过高")
        self.assertEqual(record.state, "rejected")
        record.amount = 100.0
        record.action_submit()
        self.assertEqual(record.review_round, 2)
        record.with_user(self.gm).action_approve()
        self.assertEqual(record.state, "approved")

    def test_no_rewriting_after_submission(self):
        record = self._record()
        record.action_submit()
        with self.assertRaises(UserError):
            record.write({"amount": 5_000.0})
        with self.assertRaises(UserError):
            record.sudo().write({"state": "approved"})
        record.with_user(self.gm).action_approve()
        with self.assertRaises(UserError):
            record.sudo().write({"reason": "changed"})
        with self.assertRaises(UserError):
            record.sudo().unlink()

    def test_amount_required_for_rewards_and_fines(self):
        with self.assertRaises(ValidationError):
            self._record(kind="fine", amount=0.0)
        self.assertTrue(self._record(kind="warning", amount=0.0))

    def test_salesperson_reads_only_own(self):
        mine = self._record()
        other = self._record(employee_id=self.salesman_other.id)
        visible = self.env["sale.policy.reward.penalty"].with_user(self.salesman).search([])
        self.assertIn(mine, visible)
        self.assertNotIn(other, visible)
        with self.assertRaises(AccessError):
            mine.with_user(self.salesman).write({"amount": 1.0})

    def test_listed_on_the_assessment_pdf_and_workbook(self):
        self.order.with_user(self.salesman).action_submit_for_review()
        today = self.order.date_order.date()
        reward = self._record(date=today)
        reward.action_submit()
        reward.with_user(self.gm).action_approve()
        pending = self._record(kind="fine", amount=50.0, reason="未审批", date=today)
        pending.action_submit()
        wizard = (
            self.env["sale.policy.kpi.export"]
            .with_user(self.sales_head)
            .create({"date_from": today.replace(day=1), "date_to": today})
        )
        self.assertEqual(wizard._policy_reward_penalties(self.salesman), reward)
        html = str(
            self.env["ir.actions.report"]._render_qweb_html(
                "sale_order_policy.report_kpi_assessment", wizard.ids
            )[0]
        )
        self.assertIn("Rewards and penalties", html)
        self.assertIn(reward.name, html)
        self.assertNotIn(pending.name, html, "only what the general manager approved")
        book = openpyxl.load_workbook(io.BytesIO(wizard._policy_xlsx()))
        rows = list(book["Rewards & Penalties"].iter_rows(2, values_only=True))
        self.assertEqual([(r[0], r[3], r[4]) for r in rows], [(reward.name, "Reward", 500.0)])
