from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestReviewSlaTour(HttpCase, SalePolicyCase):
    def test_countdown_badges_and_overdue_filter(self):
        self._make_rule(
            "Finance Review",
            10,
            department="finance",
            reviewer_user_ids=[Command.set(self.finance.ids)],
            sla_hours=24.0,
        )
        # Received 26 h ago: 2 h overdue in the reviewer's browser, which runs on real time.
        with freeze_time(fields.Datetime.now() - timedelta(hours=26, minutes=5)):
            late = self._make_order()
            late.with_user(self.salesman).action_submit_for_review()
        fresh = self._make_order()
        fresh.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(late.policy_review_ids.sla_status, "overdue")
        self.assertEqual(fresh.policy_review_ids.sla_status, "on_track")
        self.start_tour(
            "/odoo/action-sale_order_policy.sale_policy_review_action_my",
            "sale_policy_sla_countdown",
            login="sop_finance",
        )
