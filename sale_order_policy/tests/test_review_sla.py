from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import SalePolicyCase

# Friday 6 March 2026, 14:00 in Shanghai (UTC+8, no daylight saving time).
FRIDAY_2PM_SHANGHAI = datetime(2026, 3, 6, 6, 0)


@tagged("post_install", "-at_install")
class TestReviewSla(SalePolicyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # These tests follow one step with its own SLA; the order's review deadline, far
        # away here, is tested on its own (TestOrderReviewDeadline).
        cls.company.write({"sale_policy_sla_hours": 1000.0, "sale_policy_reminder_percent": 75.0})
        (cls.finance | cls.finance2 | cls.gm | cls.sales_head).write({"tz": "Asia/Shanghai"})
        cls.rule = cls._make_rule(
            "Finance Review",
            10,
            department="finance",
            reviewer_user_ids=[Command.set(cls.finance.ids)],
            sla_scope="step",
            sla_hours=24.0,
            sla_hours_urgent=4.0,
        )
        # 8-hour Monday-Friday calendar of the Shanghai office: 8-12 and 13-17.
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Shanghai Office",
                "tz": "Asia/Shanghai",
                "company_id": cls.company.id,
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
        cls.escalation_user = cls.env["res.users"].create(
            {
                "name": "Director Du",
                "login": "sop_director",
                "tz": "Europe/Paris",
                "groups_id": [Command.set(cls.env.ref("base.group_user").ids)],
            }
        )

    def _submit(self, **order_vals):
        order = self._make_order(**order_vals)
        order.with_user(self.salesman).action_submit_for_review()
        return order, order.policy_review_ids.filtered(lambda r: r.state == "pending")

    def _logs(self, order, event):
        return order.policy_log_ids.filtered(lambda line: line.event == event)

    def _sla_messages(self, order, text):
        return order.message_ids.filtered(lambda m: text in (m.body or ""))

    def _cron(self, **kwargs):
        return self.env["sale.policy.review"]._cron_check_sla(**kwargs)

    # ------------------------------------------------------------------
    # Deadline
    # ------------------------------------------------------------------

    @freeze_time(FRIDAY_2PM_SHANGHAI)
    def test_clock_deadline_24h(self):
        order, review = self._submit()
        self.assertEqual(review.activated_on, FRIDAY_2PM_SHANGHAI)
        self.assertEqual(review.sla_hours, 24.0)
        self.assertEqual(review.deadline, FRIDAY_2PM_SHANGHAI + timedelta(hours=24))
        self.assertEqual(review.reminder_due_on, FRIDAY_2PM_SHANGHAI + timedelta(hours=18))
        self.assertEqual(review.sla_status, "on_track")
        # The reviewer's activity states the deadline in the reviewer's own timezone.
        activity = review.activity_ids
        self.assertEqual(activity.user_id, self.finance)
        self.assertIn("Mar 7, 2026, 2:00:00 PM", str(activity.note))
        self.assertEqual(activity.date_deadline, fields.Date.to_date("2026-03-07"))

    def test_company_default_sla(self):
        self.company.sale_policy_sla_hours = 12.0
        rule = self.env["sale.policy.rule"].with_company(self.company).new({"name": "X"})
        self.assertEqual(rule.sla_hours, 12.0)

    @freeze_time(FRIDAY_2PM_SHANGHAI)
    def test_working_hours_friday_to_wednesday(self):
        self.company.sale_policy_calendar_id = self.calendar
        order, review = self._submit()
        # 3 h on Friday, 8 h Monday, 8 h Tuesday, 5 h on Wednesday: Wednesday 14:00 Shanghai.
        self.assertEqual(review.deadline, datetime(2026, 3, 11, 6, 0))
        local = fields.Datetime.context_timestamp(
            review.with_context(tz="Asia/Shanghai"), review.deadline
        )
        self.assertEqual((local.strftime("%A"), local.hour), ("Wednesday", 14))
        # The reminder at 75% falls after 18 working hours: Tuesday 16:00 Shanghai.
        self.assertEqual(review.reminder_due_on, datetime(2026, 3, 10, 8, 0))

    @freeze_time(FRIDAY_2PM_SHANGHAI)
    def test_rule_calendar_overrides_company_in_its_timezone(self):
        paris = self.calendar.copy({"name": "Paris Office", "tz": "Europe/Paris"})
        self.company.sale_policy_calendar_id = self.calendar
        self.rule.calendar_id = paris
        order, review = self._submit()
        # Friday 07:00 in Paris: 8 h on Friday, 8 h Monday, 8 h Tuesday, ends Tuesday 17:00
        # Paris (16:00 UTC), as the Paris hours start only at 08:00 local time.
        self.assertEqual(review.deadline, datetime(2026, 3, 10, 16, 0))

    @freeze_time(FRIDAY_2PM_SHANGHAI)
    def test_holiday_skipped(self):
        self.company.sale_policy_calendar_id = self.calendar
        # Monday 9 March is a public holiday in Shanghai (whole local day).
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public Holiday",
                "calendar_id": self.calendar.id,
                "company_id": self.company.id,
                "date_from": datetime(2026, 3, 8, 16, 0),
                "date_to": datetime(2026, 3, 9, 15, 59, 59),
                "time_type": "leave",
            }
        )
        order, review = self._submit()
        # Monday does not count: Thursday 14:00 Shanghai.
        self.assertEqual(review.deadline, datetime(2026, 3, 12, 6, 0))

    @freeze_time(FRIDAY_2PM_SHANGHAI)
    def test_urgent_sla(self):
        order, review = self._submit(priority="1")
        self.assertEqual(review.sla_hours, 4.0)
        self.assertEqual(review.deadline, FRIDAY_2PM_SHANGHAI + timedelta(hours=4))
        self.assertEqual(review.reminder_due_on, FRIDAY_2PM_SHANGHAI + timedelta(hours=3))
        # In working hours, 3 h remain on Friday and the fourth is Monday 08:00-09:00.
        self.company.sale_policy_calendar_id = self.calendar
        order, review = self._submit(priority="1")
        self.assertEqual(review.deadline, datetime(2026, 3, 9, 1, 0))

    # ------------------------------------------------------------------
    # Reminder
    # ------------------------------------------------------------------

    def test_reminder_sent_once(self):
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            order, review = self._submit()
        with freeze_time(FRIDAY_2PM_SHANGHAI + timedelta(hours=17, minutes=59)):
            self.assertEqual(self._cron(), 0)
            self.assertFalse(review.reminder_sent_on)
            self.assertEqual(review.sla_status, "on_track")
        reminder_time = FRIDAY_2PM_SHANGHAI + timedelta(hours=18, minutes=2)
        with freeze_time(reminder_time):
            self.assertEqual(self._cron(), 1)
            self.assertEqual(review.reminder_sent_on, reminder_time)
            review.invalidate_recordset(["sla_status"])  # a time-dependent, unstored value
            self.assertEqual(review.sla_status, "at_risk")
            self.assertFalse(review.sla_breached)
        messages = self._sla_messages(order, "Reminder")
        self.assertEqual(len(messages), 1)
        self.assertIn("Finance Review", messages.body)
        # Shown in the reviewer's timezone (Shanghai).
        self.assertIn("Mar 7, 2026, 2:00:00 PM", messages.body)
        self.assertEqual(messages.notified_partner_ids, self.finance.partner_id)
        inbox = messages.notification_ids
        self.assertEqual(inbox.res_partner_id, self.finance.partner_id)
        self.assertEqual(inbox.notification_type, "inbox")
        self.assertEqual(len(self._logs(order, "reminder")), 1)
        with freeze_time(reminder_time + timedelta(minutes=5)):
            self.assertEqual(self._cron(), 0)
        self.assertEqual(len(self._sla_messages(order, "Reminder")), 1)
        self.assertEqual(len(self._logs(order, "reminder")), 1)
        self.assertEqual(review.reminder_sent_on, reminder_time)

    def test_reminder_only_to_reviewers_still_to_approve(self):
        self.rule.write(
            {
                "reviewer_user_ids": [Command.set((self.finance | self.finance2).ids)],
                "approval_mode": "all",
            }
        )
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            order, review = self._submit()
            review.with_user(self.finance).action_approve()
        with freeze_time(FRIDAY_2PM_SHANGHAI + timedelta(hours=19)):
            self._cron()
        message = self._sla_messages(order, "Reminder")
        self.assertEqual(message.notified_partner_ids, self.finance2.partner_id)

    def test_reminder_reaches_the_reviewers_substitute(self):
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            self.env["sale.policy.delegation"].with_user(self.finance).create(
                {
                    "user_id": self.finance.id,
                    "delegate_id": self.finance2.id,
                    "date_from": "2026-03-06",
                    "date_to": "2026-03-13",
                    "company_id": self.company.id,
                }
            )
            order, review = self._submit()
        with freeze_time(FRIDAY_2PM_SHANGHAI + timedelta(hours=19)):
            self._cron()
        message = self._sla_messages(order, "Reminder")
        self.assertEqual(message.notified_partner_ids, (self.finance | self.finance2).partner_id)

    # ------------------------------------------------------------------
    # Breach and escalation
    # ------------------------------------------------------------------

    def test_breach_and_escalation_without_duplicates(self):
        self.rule.escalation_user_ids = self.gm | self.escalation_user
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            order, review = self._submit()
        deadline = review.deadline
        just_before = deadline - timedelta(minutes=1)
        with freeze_time(just_before):
            self.assertEqual(self._cron(), 1)  # the reminder only
        self.assertFalse(review.sla_breached)
        run_at = deadline + timedelta(hours=1, minutes=10)
        with freeze_time(run_at):
            self.assertEqual(self._cron(), 1)
            self.assertEqual(review.sla_status, "overdue")
        self.assertTrue(review.sla_breached)
        self.assertEqual(review.breached_on, run_at)
        self.assertEqual(review.escalated_on, run_at)
        self.assertEqual(review.state, "pending")

        escalation_type = self.env.ref("sale_order_policy.mail_activity_type_policy_escalation")
        activities = order.activity_ids.filtered(lambda a: a.activity_type_id == escalation_type)
        self.assertEqual(activities.user_id, self.gm | self.escalation_user)
        self.assertLessEqual(activities, review.activity_ids)
        gm_activity = activities.filtered(lambda a: a.user_id == self.gm)
        self.assertEqual(gm_activity.summary, "Overdue review: Finance Review")
        for text in (order.name, "Finance Review", "Finance Fang", "1 h 10 min"):
            self.assertIn(text, str(gm_activity.note))
        messages = self._sla_messages(order, "Review overdue")
        # One message per timezone of the readers (Shanghai, Paris), each naming it all.
        self.assertEqual(len(messages), 2)
        self.assertEqual(messages.notified_partner_ids, (self.gm | self.escalation_user).partner_id)
        paris = messages.filtered(lambda m: self.escalation_user.partner_id in m.partner_ids)
        self.assertIn("Mar 7, 2026, 7:00:00 AM", paris.body)  # 14:00 Shanghai is 07:00 Paris
        log = self._logs(order, "escalate")
        self.assertEqual(len(log), 1)
        self.assertIn("Manager Ma", log.comment)
        self.assertIn("Director Du", log.comment)

        with freeze_time(run_at + timedelta(minutes=5)):
            self.assertEqual(self._cron(), 0)
        self.assertEqual(
            len(order.activity_ids.filtered(lambda a: a.activity_type_id == escalation_type)), 2
        )
        self.assertEqual(len(self._sla_messages(order, "Review overdue")), 2)
        self.assertEqual(len(self._logs(order, "escalate")), 1)
        self.assertEqual(review.escalated_on, run_at)

    def test_escalation_defaults_to_general_managers(self):
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            order, review = self._submit()
        with freeze_time(review.deadline + timedelta(minutes=3)):
            self._cron()
        escalation_type = self.env.ref("sale_order_policy.mail_activity_type_policy_escalation")
        activities = order.activity_ids.filtered(lambda a: a.activity_type_id == escalation_type)
        managers = self.env.ref("sale_order_policy.group_general_manager").users.filtered(
            lambda u: self.company in u.company_ids and not u.share
        )
        self.assertIn(self.gm, managers)
        self.assertEqual(activities.user_id, managers)

    def test_breach_skips_pending_reminder(self):
        """A cron down for a day: the overdue review is escalated, not reminded too."""
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            order, review = self._submit()
        with freeze_time(FRIDAY_2PM_SHANGHAI + timedelta(days=2)):
            self.assertEqual(self._cron(), 1)
        self.assertTrue(review.escalated_on)
        self.assertFalse(review.reminder_sent_on)
        self.assertFalse(self._logs(order, "reminder"))
        self.assertIn("1 d 0 h 0 min", self._logs(order, "escalate").comment)

    def test_escalation_users_decide_when_allowed(self):
        self.rule.write({"escalation_user_ids": [Command.set(self.gm.ids)]})
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            order, review = self._submit()
            with self.assertRaises(AccessError):
                review.with_user(self.gm).action_approve()
        with freeze_time(review.deadline + timedelta(minutes=5)):
            self._cron()
            # Breached, but the rule does not let escalation users decide.
            self.assertFalse(review.with_user(self.gm).can_decide)
            with self.assertRaises(AccessError):
                review.with_user(self.gm).action_approve()
            self.rule.escalation_can_decide = True
            review.invalidate_recordset(["can_decide"])
            self.assertTrue(review.with_user(self.gm).can_decide)
            self.assertTrue(order.with_user(self.gm).policy_can_decide)
            review.with_user(self.gm).action_approve("Decided by escalation")
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.decided_by_id, self.gm)
        self.assertEqual(order.approval_state, "approved")
        # The decision closes every review activity, the escalation ones included.
        self.assertFalse(review.activity_ids.exists())
        self.assertEqual(review.sla_status, "missed")

    def test_escalated_user_reads_the_order_and_decides_from_it(self):
        # A warehouse reviewer reads only the orders they review, until one is escalated.
        self.rule.write(
            {
                "escalation_user_ids": [Command.set(self.warehouse.ids)],
                "escalation_can_decide": True,
            }
        )
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            order, review = self._submit()
        as_warehouse = order.with_user(self.warehouse)
        with self.assertRaises(AccessError):
            as_warehouse.check_access("read")
        my_reviews = self.env.ref("sale_order_policy.sale_policy_review_action_my")
        domain = safe_eval(my_reviews.domain, {"uid": self.warehouse.id})
        reviews_as_warehouse = self.env["sale.policy.review"].with_user(self.warehouse)
        self.assertNotIn(review, reviews_as_warehouse.search(domain))
        with freeze_time(review.deadline + timedelta(minutes=5)):
            self._cron()
            self.assertEqual(review.escalation_user_ids, self.warehouse)
            as_warehouse.check_access("read")
            self.assertIn(review, reviews_as_warehouse.search(domain))
            self.assertTrue(as_warehouse.policy_can_decide)
            action = as_warehouse.action_policy_approve()
            self.assertEqual(action["res_model"], "sale.policy.decision")
            self.env["sale.policy.decision"].with_user(self.warehouse).with_context(
                **action["context"]
            ).create({}).action_decide()
        self.assertEqual(order.approval_state, "approved")
        self.assertEqual(review.decided_by_id, self.warehouse)

    def test_failing_review_is_logged_and_skipped(self):
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            _order_ok, review_ok = self._submit()
            _order_bad, review_bad = self._submit()
        review_model = type(self.env["sale.policy.review"])
        original = review_model._sla_escalate

        def escalate(records, now):
            if review_bad in records:
                raise ValueError("broken review")
            return original(records, now)

        with (
            freeze_time(review_ok.deadline + timedelta(minutes=1)),
            patch.object(review_model, "_sla_escalate", escalate),
            self.assertLogs("odoo.addons.sale_order_policy.models.sale_policy_review_sla") as logs,
        ):
            self.assertEqual(self._cron(), 1)
        self.assertTrue(review_ok.sla_breached)
        self.assertFalse(review_bad.sla_breached)
        self.assertFalse(review_bad.escalated_on)
        self.assertTrue(any(f"review {review_bad.id}" in line for line in logs.output))
        # Fixed by the next run.
        with freeze_time(review_ok.deadline + timedelta(minutes=6)):
            self.assertEqual(self._cron(), 1)
        self.assertTrue(review_bad.sla_breached)

    def test_late_decision_counts_as_breached(self):
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            order, review = self._submit()
        late = review.deadline + timedelta(minutes=2)
        with freeze_time(late):  # decided before the cron noticed
            review.with_user(self.finance).action_approve()
        self.assertTrue(review.sla_breached)
        self.assertEqual(review.breached_on, late)
        self.assertEqual(review.sla_status, "missed")

    # ------------------------------------------------------------------
    # Measured time
    # ------------------------------------------------------------------

    def test_decision_hours_clock(self):
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            order, review = self._submit()
        with freeze_time(FRIDAY_2PM_SHANGHAI + timedelta(hours=5, minutes=30)):
            review.with_user(self.finance).action_approve()
        self.assertAlmostEqual(review.decision_hours, 5.5)
        self.assertAlmostEqual(review.decision_work_hours, 5.5)
        self.assertEqual(review.sla_status, "met")

    def test_decision_hours_working_calendar(self):
        self.company.sale_policy_calendar_id = self.calendar
        with freeze_time(FRIDAY_2PM_SHANGHAI):
            order, review = self._submit()
        # Monday 10:00 Shanghai: 68 clock hours, 3 + 2 working hours.
        with freeze_time(datetime(2026, 3, 9, 2, 0)):
            review.with_user(self.finance).action_reject("Price too low")
        self.assertAlmostEqual(review.decision_hours, 68.0)
        self.assertAlmostEqual(review.decision_work_hours, 5.0)

    # ------------------------------------------------------------------
    # Filters and overview
    # ------------------------------------------------------------------

    def _make_warehouse_rule(self):
        return self._make_rule(
            "Warehouse Review",
            10,
            department="warehouse",
            reviewer_user_ids=[Command.set(self.warehouse.ids)],
            sla_scope="step",
            sla_hours=48.0,
        )

    def _two_orders(self, start):
        """Two orders with a finance (24 h) and a warehouse (48 h) step, 20 h apart."""
        warehouse_rule = self._make_warehouse_rule()
        with freeze_time(start):
            _order1, reviews1 = self._submit()
        with freeze_time(start + timedelta(hours=20)):
            _order2, reviews2 = self._submit()

        def pick(reviews, rule):
            return reviews.filtered(lambda r: r.rule_id == rule)

        return (
            pick(reviews1, self.rule),
            pick(reviews1, warehouse_rule),
            pick(reviews2, self.rule),
            pick(reviews2, warehouse_rule),
        )

    def test_filters(self):
        finance1, warehouse1, finance2, warehouse2 = self._two_orders(FRIDAY_2PM_SHANGHAI)
        ids = (finance1 | warehouse1 | finance2 | warehouse2).ids
        review_model = self.env["sale.policy.review"].with_context(tz="Asia/Shanghai")

        def search(*domain):
            return review_model.search([("id", "in", ids), *domain])

        # Saturday 15:00 Shanghai: finance1 is overdue, the others are on track.
        with freeze_time(FRIDAY_2PM_SHANGHAI + timedelta(hours=25)):
            self._cron()
            self.assertEqual(search(("sla_status", "=", "overdue")), finance1)
            on_track = warehouse1 | finance2 | warehouse2
            self.assertEqual(search(("sla_status", "=", "on_track")), on_track)
            self.assertEqual(search(("sla_status", "!=", "overdue")), on_track)
            self.assertEqual(search(("sla_breached", "=", True)), finance1)
            # Due today, Saturday in Shanghai: only finance1 (Saturday 14:00).
            self.assertEqual(search(("sla_due_today", "=", True)), finance1)
            self.assertEqual(finance1.with_context(tz="Asia/Shanghai").sla_due_today, True)
        # Sunday 05:00 Shanghai: warehouse1 (reminder at 36 h) and finance2 (at 38 h) at risk.
        with freeze_time(FRIDAY_2PM_SHANGHAI + timedelta(hours=39)):
            self.assertEqual(search(("sla_status", "=", "at_risk")), warehouse1 | finance2)
            self.assertEqual(
                search(("sla_status", "in", ["at_risk", "overdue"])),
                warehouse1 | finance2 | finance1,
            )
            # Sunday: finance2 (10:00) and warehouse1 (14:00) fall due today.
            self.assertEqual(search(("sla_due_today", "=", True)), warehouse1 | finance2)

    def test_sla_overview_per_department_and_reviewer(self):
        # The overview is evaluated by the database clock: place the orders 39 h before it.
        start = self.env.cr.now().replace(microsecond=0) - timedelta(hours=39)
        finance1, warehouse1, finance2, warehouse2 = self._two_orders(start)
        with freeze_time(start + timedelta(hours=25)):
            self._cron()  # finance1 breaches
        report = self.env["sale.policy.sla.report"]
        domain = [("review_id", "in", (finance1 | warehouse1 | finance2 | warehouse2).ids)]
        per_department = {
            department: (pending, at_risk, breached)
            for department, pending, at_risk, breached in report._read_group(
                domain,
                ["department"],
                ["pending_count:sum", "at_risk_count:sum", "breached_count:sum"],
            )
        }
        # finance1 breached; finance2 (reminder at 38 h) and warehouse1 (36 h) at risk.
        self.assertEqual(per_department, {"finance": (2, 1, 1), "warehouse": (2, 1, 0)})
        per_reviewer = {
            user: (pending, breached)
            for user, pending, breached in report._read_group(
                domain, ["reviewer_user_ids"], ["pending_count:sum", "breached_count:sum"]
            )
        }
        self.assertEqual(per_reviewer, {self.finance: (2, 1), self.warehouse: (2, 0)})
        statuses = {row.review_id: row.sla_status for row in report.search(domain)}
        self.assertEqual(
            statuses,
            {
                finance1: "overdue",
                warehouse1: "at_risk",
                finance2: "at_risk",
                warehouse2: "on_track",
            },
        )
        # Decided late, the step stays in the overview as missed.
        finance1.with_user(self.finance).action_approve()
        self.assertEqual(report.search([("review_id", "=", finance1.id)]).sla_status, "missed")

    def test_cron_queries_grow_with_batches_not_reviews(self):
        """Escalating twice as many reviews in one batch costs the same queries."""
        self._make_warehouse_rule().sla_hours = 24.0
        self.company.sale_policy_reminder_percent = 99.0
        for hour, orders in ((0, 2), (1, 3), (2, 6)):
            with freeze_time(FRIDAY_2PM_SHANGHAI + timedelta(hours=hour)):
                for _i in range(orders):
                    self._submit()

        def count_queries(hours, batch_size=500):
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(FRIDAY_2PM_SHANGHAI + timedelta(hours=hours)):
                before = self.env.cr.sql_log_count
                done = self._cron(batch_size=batch_size)
                return done, self.env.cr.sql_log_count - before

        self.assertEqual(count_queries(24.1)[0], 4)  # warms the caches up
        done_small, queries_small = count_queries(25.1)
        done_big, queries_big = count_queries(26.1)
        self.assertEqual((done_small, done_big), (6, 12))
        self.assertEqual(queries_big, queries_small)
        # Nothing left to do: one query to find nothing.
        self.assertEqual(count_queries(26.2), (0, 1))
