from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import SalePolicyCase

MONDAY_9AM = datetime(2026, 3, 2, 1, 0)  # 09:00 in Shanghai, UTC stored


@tagged("post_install", "-at_install")
class TestReviewerScorecard(SalePolicyCase):
    """The reviewers' speed is assessed on their own scorecard, per person who decided."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._make_rule(
            "Finance",
            10,
            sla_hours=24,
            reviewer_user_ids=[Command.set((cls.finance | cls.finance2).ids)],
        )

    def _decide(self, user, after_hours, reject=False):
        with freeze_time(MONDAY_9AM):
            order = self._make_order()
            order.with_user(self.salesman).action_submit_for_review()
        review = order.policy_review_ids
        with freeze_time(MONDAY_9AM + timedelta(hours=after_hours)):
            if reject:
                review.with_user(user).action_reject("价格过低")
            else:
                review.with_user(user).action_approve("同意")
        return review

    def test_figures_per_reviewer(self):
        self._decide(self.finance, 2)
        self._decide(self.finance, 30)  # past the 24-hour deadline
        self._decide(self.finance2, 5, reject=True)
        Scorecard = self.env["sale.policy.reviewer.scorecard"]
        rows = {
            row["reviewer_id"][0]: row
            for row in Scorecard.read_group(
                [("reviewer_id", "in", (self.finance | self.finance2).ids)],
                [
                    "decided_count:sum",
                    "on_time_count:sum",
                    "breached_count:sum",
                    "rejected_count:sum",
                    "decision_hours:avg",
                ],
                ["reviewer_id"],
            )
        }
        fang, feng = rows[self.finance.id], rows[self.finance2.id]
        self.assertEqual(
            (fang["decided_count"], fang["on_time_count"], fang["breached_count"]), (2, 1, 1)
        )
        self.assertAlmostEqual(fang["decision_hours"], 16.0)
        self.assertEqual((feng["decided_count"], feng["rejected_count"]), (1, 1))
        self.assertAlmostEqual(feng["decision_hours"], 5.0)

    def test_salesperson_cannot_open_it(self):
        self._decide(self.finance, 2)
        Scorecard = self.env["sale.policy.reviewer.scorecard"]
        self.assertFalse(Scorecard.with_user(self.salesman).has_access("read"))
        self.assertTrue(Scorecard.with_user(self.gm).search_count([]))
