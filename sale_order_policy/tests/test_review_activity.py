from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestReviewActivity(SalePolicyCase):
    """A review step's activities close with its decision, and only then."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_finance = cls._make_rule(
            "Finance", 10, department="finance", reviewer_user_ids=[Command.set(cls.finance.ids)]
        )
        cls.rule_warehouse = cls._make_rule(
            "Warehouse",
            10,
            department="warehouse",
            reviewer_user_ids=[Command.set(cls.warehouse.ids)],
        )
        cls.review_type = cls.env.ref("sale_order_policy.mail_activity_type_policy_review")

    def setUp(self):
        super().setUp()
        self.order = self._make_order()
        self.order.with_user(self.salesman).action_submit_for_review()
        reviews = self.order.policy_review_ids
        self.finance_review = reviews.filtered(lambda r: r.rule_id == self.rule_finance)
        self.warehouse_review = reviews.filtered(lambda r: r.rule_id == self.rule_warehouse)
        self.activity = self.finance_review.activity_ids
        self.assertEqual(self.activity.user_id, self.finance)
        self.assertEqual(self.activity.activity_type_id, self.review_type)

    def _done_calls(self, activity):
        return {
            "action_feedback": lambda: activity.action_feedback(feedback="Looks fine"),
            "action_done": activity.action_done,
            "action_feedback_schedule_next": activity.action_feedback_schedule_next,
            "action_done_redirect_to_other": activity.action_done_redirect_to_other,
            "_action_done": activity._action_done,
        }

    def test_nobody_marks_a_review_activity_done(self):
        """Neither the salesperson, nor the reviewer themself (who decides with Approve or
        Reject), nor a sales manager, nor sudo."""
        for user in self.salesman | self.finance | self.sales_head:
            for name, call in self._done_calls(self.activity.with_user(user)).items():
                with (
                    self.subTest(user=user.login, call=name),
                    self.assertRaisesRegex(
                        UserError, "closes with the reviewer's decision: approve or reject"
                    ),
                ):
                    call()
        with self.assertRaises(UserError):
            self.activity.sudo().action_feedback()
        self.assertTrue(self.activity.exists())
        self.assertEqual(self.finance_review.state, "pending")

    def test_review_activity_cannot_be_changed_or_deleted(self):
        tomorrow = fields.Date.today() + timedelta(days=1)
        changes = [
            (self.salesman, {"user_id": self.salesman.id}),
            (self.finance, {"user_id": self.finance2.id}),
            (self.finance, {"date_deadline": tomorrow}),
            (self.sales_head, {"summary": "Nothing to see"}),
        ]
        for user, vals in changes:
            with (
                self.subTest(user=user.login, vals=vals),
                self.assertRaisesRegex(UserError, "cannot be reassigned or changed"),
            ):
                self.activity.with_user(user).write(vals)
        with self.assertRaisesRegex(UserError, "cannot be reassigned or changed"):
            self.activity.with_user(self.finance).action_snooze()
        for user in self.salesman | self.finance | self.sales_head:
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(UserError, "cannot be deleted"):
                    self.activity.with_user(user).unlink()
                with self.assertRaisesRegex(UserError, "cannot be deleted"):
                    self.activity.with_user(user).action_cancel()
        # Neither the superuser nor the context key that skips ordinary delete checks.
        with self.assertRaises(UserError):
            self.activity.sudo().with_context(_force_unlink=True).unlink()
        # Nor through the order's activities.
        with self.assertRaises(UserError):
            self.order.write({"activity_ids": [Command.unlink(self.activity.id)]})
        self.assertTrue(self.activity.exists())
        self.assertEqual(self.activity.user_id, self.finance)

    def test_nobody_schedules_a_review_activity_by_hand(self):
        order = self._make_order()
        with self.assertRaisesRegex(UserError, "scheduled by the approval engine"):
            order.with_user(self.salesman).activity_schedule(
                "sale_order_policy.mail_activity_type_policy_review", user_id=self.finance.id
            )
        todo = order.with_user(self.salesman).activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.salesman.id
        )
        with self.assertRaisesRegex(UserError, "scheduled by the approval engine"):
            todo.with_user(self.salesman).write({"activity_type_id": self.review_type.id})

    def test_the_message_is_translated(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["sale_order_policy"], ["zh_CN"])
        activity = self.activity.with_user(self.finance).with_context(lang="zh_CN")
        with self.assertRaisesRegex(UserError, "审核"):
            activity.action_feedback()

    def test_the_decision_closes_the_activities(self):
        self.env["mail.activity"]._cron_policy_notify()
        self.assertFalse(self.activity.policy_notify_pending)
        self.finance_review.with_user(self.finance).action_approve("Credit fine")
        self.assertEqual(self.finance_review.state, "approved")
        self.assertFalse(self.activity.exists())
        done = self.order.message_ids.filtered(
            lambda m: m.mail_activity_type_id == self.review_type
        )
        self.assertEqual(len(done), 1)
        self.assertEqual(done.author_id, self.finance.partner_id)
        self.assertIn("Approved", done.body)
        # A rejection closes the rejecting reviewer's activity and removes the others.
        other = self.warehouse_review.activity_ids
        self.assertTrue(other)
        self.warehouse_review.with_user(self.warehouse).action_reject("Out of stock")
        self.assertEqual(self.order.approval_state, "rejected")
        self.assertFalse(other.exists())

    def test_a_notification_blocked_by_a_lock_goes_out_on_the_next_run(self):
        """A user's transaction holding the order (Odoo writes its portal token while it
        builds the e-mail) delays the reviewer's notification; it is neither lost nor
        sent twice."""

        class Locked(Exception):
            pgcode = "40001"  # PostgreSQL's serialization failure

        cron = self.env.ref("sale_order_policy.ir_cron_sale_policy_notify_activities")
        Trigger = self.env["ir.cron.trigger"].sudo()
        triggers = Trigger.search_count([("cron_id", "=", cron.id)])
        with patch.object(type(self.env["mail.activity"]), "action_notify", side_effect=Locked):
            self.env["mail.activity"]._cron_policy_notify()
        self.assertTrue(self.activity.policy_notify_pending)
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), triggers + 1)
        self.env["mail.activity"]._cron_policy_notify()
        self.env["mail.activity"]._cron_policy_notify()
        self.assertFalse(self.activity.policy_notify_pending)
        notifications = self.env["mail.message"].search(
            [
                ("model", "=", "sale.order"),
                ("res_id", "=", self.order.id),
                ("message_type", "=", "user_notification"),
                ("partner_ids", "in", self.finance.partner_id.ids),
            ]
        )
        self.assertEqual(len(notifications), 1)

    def test_rejection_removes_the_other_steps_activities(self):
        self.warehouse_review.with_user(self.warehouse).action_reject("Out of stock")
        self.assertEqual(self.finance_review.state, "cancelled")
        self.assertFalse(self.activity.exists())

    def test_other_activities_are_unchanged(self):
        todo = self.order.with_user(self.salesman).activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.salesman.id, summary="Call back"
        )
        todo.with_user(self.salesman).write({"summary": "Call the buyer back"})
        todo.with_user(self.salesman).action_feedback(feedback="Called")
        self.assertFalse(todo.exists())

    def test_archiving_a_reviewer_removes_their_review_activity(self):
        """Odoo deletes an archived user's activities; the step stays open."""
        self.finance.action_archive()
        self.assertFalse(self.finance.active)
        self.assertFalse(self.activity.exists())
        self.assertEqual(self.finance_review.state, "pending")
