from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import SalePolicyCase

# Friday 6 March 2026, 14:00 in Shanghai (UTC+8), stored as UTC.
FRIDAY_2PM = datetime(2026, 3, 6, 6, 0)
# 24 working hours later on an 8-12 / 13-17 calendar: Fri 3 h, Mon 8 h, Tue 8 h, Wed 5 h.
WEDNESDAY_2PM = datetime(2026, 3, 11, 6, 0)


@tagged("post_install", "-at_install")
class TestOrderReviewDeadline(SalePolicyCase):
    """各相关部门应在收到订单后24小时内完成审核: the whole review of an order is due 24 hours
    (the company's) after submission, whatever its number of tiers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Shanghai Office",
                "tz": "Asia/Shanghai",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day} {period}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for hour_from, hour_to, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
            }
        )
        cls.company.write(
            {
                "sale_policy_sla_hours": 24.0,
                "sale_policy_sla_hours_urgent": 4.0,
                "sale_policy_calendar_id": cls.calendar.id,
            }
        )
        cls.head_rule = cls._make_rule(
            "Head", 10, reviewer_user_ids=[Command.set(cls.sales_head.ids)]
        )
        cls.finance_rule = cls._make_rule(
            "Finance", 20, reviewer_user_ids=[Command.set(cls.finance.ids)]
        )
        cls.gm_rule = cls._make_rule("GM", 30, reviewer_user_ids=[Command.set(cls.gm.ids)])

    def _submit(self, **vals):
        with freeze_time(FRIDAY_2PM):
            order = self._make_order(**vals)
            order.with_user(self.salesman).action_submit_for_review()
        return order

    def _step(self, order, rule):
        return order.policy_review_ids.filtered(lambda r: r.rule_id == rule)

    def _cron(self):
        return self.env["sale.policy.review"]._cron_check_sla()

    def test_three_tiers_share_the_order_deadline(self):
        order = self._submit()
        head = self._step(order, self.head_rule)
        self.assertEqual(head.round_deadline, WEDNESDAY_2PM)
        self.assertEqual(head.deadline, WEDNESDAY_2PM, "a step is due with its order")
        with freeze_time(FRIDAY_2PM + timedelta(hours=1)):
            head.with_user(self.sales_head).action_approve("同意")
        finance = self._step(order, self.finance_rule)
        self.assertEqual(finance.deadline, WEDNESDAY_2PM, "not 24 h of its own")
        with freeze_time(datetime(2026, 3, 10, 2, 0)):  # Tuesday 10:00 in Shanghai
            finance.with_user(self.finance).action_approve("同意")
        gm = self._step(order, self.gm_rule)
        self.assertEqual(gm.state, "pending")
        self.assertEqual(gm.deadline, WEDNESDAY_2PM)
        # Wednesday 14:05: the general manager has not decided; the order missed its deadline.
        with freeze_time(WEDNESDAY_2PM + timedelta(minutes=5)):
            self._cron()
        reviews = order.policy_review_ids
        self.assertEqual(
            set(reviews.mapped("round_breached_on")), {WEDNESDAY_2PM + timedelta(minutes=5)}
        )
        self.assertFalse(head.sla_breached or finance.sla_breached, "the early tiers were in time")
        self.assertTrue(gm.sla_breached)
        breach = order.policy_log_ids.filtered(lambda line: line.event == "round_breach")
        self.assertEqual(len(breach), 1)
        self.assertIn("GM still open", breach.comment)
        # The SLA overview counts the order's missed deadline on each of its steps.
        report = self.env["sale.policy.sla.report"].search([("review_id", "in", reviews.ids)])
        self.assertEqual(sum(report.mapped("order_late_count")), 3)
        self.assertEqual(set(report.mapped("round_deadline")), {WEDNESDAY_2PM})
        # Once recorded, never again.
        with freeze_time(WEDNESDAY_2PM + timedelta(hours=2)):
            self.assertEqual(self._cron(), 0)
        self.assertEqual(
            len(order.policy_log_ids.filtered(lambda line: line.event == "round_breach")), 1
        )

    def test_step_with_its_own_sla_is_capped_by_the_order(self):
        self.finance_rule.write({"sla_scope": "step", "sla_hours": 16.0})
        order = self._submit()
        with freeze_time(datetime(2026, 3, 10, 2, 0)):  # Tuesday 10:00: head approves late
            self._step(order, self.head_rule).with_user(self.sales_head).action_approve()
        finance = self._step(order, self.finance_rule)
        # 16 working hours from Tuesday 10:00 would be Thursday 10:00: capped to Wednesday 14:00.
        self.assertEqual(finance.deadline, WEDNESDAY_2PM)
        self.finance_rule.sla_hours = 2.0
        order2 = self._submit()
        with freeze_time(datetime(2026, 3, 10, 2, 0)):
            self._step(order2, self.head_rule).with_user(self.sales_head).action_approve()
        self.assertEqual(
            self._step(order2, self.finance_rule).deadline,
            datetime(2026, 3, 10, 4, 0),
            "its own 2 hours (Tuesday 10:00 → 12:00) are shorter",
        )

    def test_urgent_order_has_the_shorter_deadline(self):
        order = self._submit(priority="1")
        # 4 working hours from Friday 14:00: Friday 3 h, Monday 08:00-09:00.
        self.assertEqual(
            self._step(order, self.head_rule).round_deadline, datetime(2026, 3, 9, 1, 0)
        )

    def test_breach_told_on_its_own_after_a_step_escalated_earlier(self):
        self.head_rule.write({"sla_scope": "step", "sla_hours": 2.0})
        order = self._submit()
        head = self._step(order, self.head_rule)
        with freeze_time(FRIDAY_2PM + timedelta(hours=3)):  # past its own 2 hours
            self._cron()
        self.assertTrue(head.escalated_on)
        self.assertFalse(head.round_breached_on)
        with freeze_time(WEDNESDAY_2PM + timedelta(minutes=1)):
            self.assertEqual(self._cron(), 1)

        def told():
            return order.message_ids.filtered(
                lambda m: "round 1" in (m.body or "") and "still open" in (m.body or "")
            )

        # One note per language and timezone of the escalation users, the GM among them.
        self.assertIn(self.gm.partner_id, told().notified_partner_ids)
        count = len(told())
        with freeze_time(WEDNESDAY_2PM + timedelta(hours=1)):
            self.assertEqual(self._cron(), 0)
        self.assertEqual(len(told()), count)
