from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_settlement import SalePolicySettlementCase


@tagged("post_install", "-at_install")
class TestDunning(SalePolicySettlementCase):
    """催款: the shipped levels +7 / +30 / +60 days, one letter per customer.

    Customer A: A1 100 due 2026-01-01, A2 200 due 2026-01-20 (both paid on 02-05).
    Customer B: B1 300 due 2026-01-05, never paid.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_1 = cls.env.ref("sale_order_policy.sale_policy_dunning_level_1")
        cls.level_2 = cls.env.ref("sale_order_policy.sale_policy_dunning_level_2")
        cls.level_3 = cls.env.ref("sale_order_policy.sale_policy_dunning_level_3")
        (cls.level_1 | cls.level_2 | cls.level_3).company_id = cls.company
        cls.level_3.finance_user_id = cls.finance
        cls.a1 = cls._make_invoice(cls.customer, 100.0, "2025-12-01", "2026-01-01")
        cls.a2 = cls._make_invoice(cls.customer, 200.0, "2025-12-20", "2026-01-20")
        cls.b1 = cls._make_invoice(cls.customer_b, 300.0, "2025-12-05", "2026-01-05")
        cls.partners = cls.customer | cls.customer_b
        cls.Log = cls.env["sale.policy.dunning.log"]

    def _run(self, day):
        last = self.Log.search([], order="id desc", limit=1).id or 0
        with freeze_time(day):
            self.env.ref("sale_order_policy.ir_cron_sale_policy_dunning").method_direct_trigger()
        return self.Log.search([("id", ">", last), ("partner_id", "in", self.partners.ids)])

    def _letters(self, partner):
        return self.Log.search([("partner_id", "=", partner.id)], order="id")

    def test_default_levels(self):
        self.assertEqual(
            [
                (lvl.days_overdue, bool(lvl.mail_template_id))
                for lvl in self.level_1 | self.level_2 | self.level_3
            ],
            [(7, True), (30, True), (60, True)],
        )
        self.assertTrue(self.level_2.activity_salesperson and self.level_2.activity_team_leader)
        self.assertTrue(self.level_3.activity_finance and self.level_3.raise_exception)

    def test_levels_one_mail_per_customer_no_repeat_stop_after_payment(self):
        # 6 days late: nothing yet.
        self.assertFalse(self._run("2026-01-07"))

        # A1 is 7 days late: friendly reminder to A, listing A1 only (A2 not due yet).
        logs = self._run("2026-01-08")
        self.assertEqual(logs.partner_id, self.customer)
        self.assertEqual(logs.level_id, self.level_1)
        self.assertEqual(logs.move_ids, self.a1)
        mail = logs.mail_id
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(self.a1.name, mail.body_html)
        self.assertEqual(self.a1.policy_dunning_level_id, self.level_1)

        # Next day: the same level is never sent again.
        self.assertFalse(self._run("2026-01-09"))

        # B1 is 7 days late on 01-12: B's first letter; A gets nothing.
        logs = self._run("2026-01-12")
        self.assertEqual((logs.partner_id, logs.level_id), (self.customer_b, self.level_1))

        # 01-31: A1 is 30 days late. ONE letter for A at level 2 listing both overdue
        # invoices (A2 is 11 days late); the salesperson and the team leader get an
        # activity on the customer.
        logs = self._run("2026-01-31")
        self.assertEqual(len(logs), 1)
        self.assertEqual((logs.partner_id, logs.level_id), (self.customer, self.level_2))
        self.assertEqual(logs.move_ids, self.a1 | self.a2)
        self.assertEqual(len(logs.mail_id), 1)
        self.assertIn(self.a1.name, logs.mail_id.body_html)
        self.assertIn(self.a2.name, logs.mail_id.body_html)
        self.assertAlmostEqual(logs.amount_overdue, 300.0)
        activities = self.customer.activity_ids.filtered(
            lambda act: act.activity_type_id
            == self.env.ref("sale_order_policy.mail_activity_type_policy_dunning")
        )
        self.assertEqual(activities.user_id, self.salesman | self.sales_head)
        self.assertEqual(self.a2.policy_dunning_level_id, self.level_2)

        # A pays everything on 02-05: the cron stops for A, B continues.
        self._pay(self.a1 | self.a2, 300.0, "2026-02-05")
        logs = self._run("2026-02-04") or self._run("2026-03-02")
        # B1 56 days late on 03-02: second reminder to B only.
        self.assertEqual((logs.partner_id, logs.level_id), (self.customer_b, self.level_2))
        logs = self._run("2026-03-06")
        self.assertEqual((logs.partner_id, logs.level_id), (self.customer_b, self.level_3))
        finance_activity = self.customer_b.activity_ids.filtered(
            lambda act: act.user_id == self.finance
        )
        self.assertEqual(len(finance_activity), 1)
        self.assertFalse(self._run("2026-04-30"), "no level after the final notice")

        # History: A got levels 1 and 2, B 1, 2 and 3; each on the invoices listed.
        self.assertEqual(self._letters(self.customer).level_id, self.level_1 | self.level_2)
        self.assertEqual(
            self._letters(self.customer_b).mapped("level_id"),
            self.level_1 | self.level_2 | self.level_3,
        )
        self.assertEqual(len(self.a1.policy_dunning_log_ids), 2)
        self.assertEqual(len(self.a2.policy_dunning_log_ids), 1)
        self.assertEqual(self.customer.sale_policy_dunning_count, 2)
        self.assertEqual(
            len(self.env["mail.mail"].search([("recipient_ids", "in", self.partners.ids)])), 5
        )

    def test_exclude_and_send_now(self):
        with freeze_time("2026-01-04"):
            # A1 only 3 days late: no level due, "Send Reminder Now" sends the first one.
            self.customer.with_user(self.finance).action_policy_send_dunning_now()
            [letter] = self._letters(self.customer)
            self.assertTrue(letter.manual)
            self.assertEqual(letter.level_id, self.level_1)
            self.assertEqual(letter.user_id, self.finance)
            # Sending again re-sends the level reached, and the cron does not repeat it.
            self.customer.with_user(self.finance).action_policy_send_dunning_now()
            self.assertEqual(len(self._letters(self.customer)), 2)
        self.assertFalse(
            self._run("2026-01-08").filtered(lambda log: log.partner_id == self.customer)
        )

        self.customer_b.with_user(self.finance).action_policy_toggle_dunning()
        self.assertTrue(self.customer_b.sale_policy_dunning_excluded)
        self.assertFalse(
            self._run("2026-03-10").filtered(lambda log: log.partner_id == self.customer_b)
        )
        with self.assertRaisesRegex(UserError, "excluded from dunning"):
            self.customer_b.with_user(self.finance).action_policy_send_dunning_now()

        paid_customer = self.env["res.partner"].create({"name": "Paid Up Ltd"})
        with self.assertRaisesRegex(UserError, "no overdue invoice"):
            paid_customer.with_user(self.finance).action_policy_send_dunning_now()

    def test_history_is_engine_owned(self):
        with freeze_time("2026-01-08"):
            self.Log._cron_send_dunning()
        letter = self._letters(self.customer)
        with self.assertRaises(UserError):
            letter.with_user(self.finance).write({"level_id": self.level_3.id})
        with self.assertRaises(UserError):
            self.Log.with_user(self.finance).create(
                {"partner_id": self.customer.id, "level_id": self.level_1.id}
            )

    def test_final_notice_raises_payment_overdue_exception(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        order.with_user(self.salesman).action_confirm()
        invoice = order._create_invoices()
        invoice.write(
            {
                "invoice_date": "2025-11-20",
                "invoice_payment_term_id": False,
                "invoice_date_due": "2025-12-20",
            }
        )
        invoice.action_post()
        # 2026-02-18: the order's invoice is 60 days late, A1 48: straight to level 3.
        logs = self._run("2026-02-18").filtered(lambda log: log.partner_id == self.customer)
        self.assertEqual(logs.level_id, self.level_3)
        self.assertEqual(logs.move_ids, invoice | self.a1 | self.a2)
        exception = self.env["sale.policy.exception"].search(
            [("order_id", "=", order.id), ("code", "=", "payment_overdue")]
        )
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.invoice_id, invoice)
        self.assertIn(invoice.name, exception.description)
