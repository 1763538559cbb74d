from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import SalePolicyCase
from .test_after_sales_rating import RatingFlowMixin


@tagged("post_install", "-at_install")
class TestReturnVisit(RatingFlowMixin, SalePolicyCase):
    """回访 for every customer: by e-mail when it has an address, else by phone, WeChat
    or on site, recorded by the salesperson and counted like an e-mailed rating."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"sale_policy_rating_days": 7, "sale_policy_rating_low": 1.0})
        cls.return_visit = cls.env.ref("sale_order_policy.mail_activity_type_policy_return_visit")
        cls.wechat_customer = cls.env["res.partner"].create(
            {
                "name": "微信客户有限公司",
                "phone": "+86 10 8888 0000",
                "credit_limit": 1_000_000.0,
                "property_payment_term_id": cls.payment_term.id,
            }
        )

    def _visits(self, order):
        return order.activity_ids.filtered(lambda act: act.activity_type_id == self.return_visit)

    def _record(self, order, rating, channel="phone", feedback=None, user=None):
        action = order.with_user(user or self.salesman).action_policy_record_return_visit()
        form = Form(
            self.env[action["res_model"]]
            .with_user(user or self.salesman)
            .with_context(**action["context"])
        )
        form.channel = channel
        form.rating = rating
        if feedback:
            form.feedback = feedback
        form.save().action_record()

    def _kpi(self, orders):
        self.env.flush_all()
        return self.env["sale.policy.kpi.report"].search([("order_id", "in", orders.ids)])

    def test_customer_without_email_gets_a_return_visit(self):
        order = self._delivered_order(partner_id=self.wechat_customer.id)
        self._request_ratings("2026-03-08 11:00:00")
        visit = self._visits(order)
        self.assertEqual(len(visit), 1)
        self.assertEqual(visit.user_id, self.salesman)
        self.assertIn("no e-mail address", str(visit.note))
        self.assertFalse(order.rating_ids, "no e-mail, no rating request")
        self.assertTrue(order.policy_rating_requested_on)
        self.assertFalse(
            order.message_ids.filtered(lambda m: self.wechat_customer in m.partner_ids),
            "nothing was sent to the customer",
        )

    def test_phone_rating_counts_like_an_emailed_one(self):
        by_mail = self._delivered_order()
        by_phone = self._delivered_order("2026-03-02 10:00:00", partner_id=self.wechat_customer.id)
        self._request_ratings("2026-03-10 11:00:00")
        by_mail.sudo().rating_apply(5, token=by_mail.rating_ids.access_token)
        with freeze_time("2026-03-11 09:00:00"):
            self._record(by_phone, "3", channel="wechat", feedback="交货及时, 包装一般")
        rating = by_phone.rating_ids
        self.assertEqual(len(rating), 1)
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rating, 3.0)
        self.assertEqual(rating.policy_channel, "wechat")
        self.assertEqual(rating.partner_id, self.wechat_customer)
        self.assertEqual(rating.rated_partner_id, self.salesman.partner_id)
        self.assertEqual(rating.feedback, "交货及时, 包装一般")
        self.assertEqual(by_mail.rating_ids.policy_channel, "email")
        self.assertFalse(self._visits(by_phone), "the visit is done")
        done = self.env["mail.message"].search(
            [
                ("model", "=", "sale.order"),
                ("res_id", "=", by_phone.id),
                ("mail_activity_type_id", "=", self.return_visit.id),
            ]
        )
        self.assertIn("WeChat", str(done.body))
        rows = self._kpi(by_mail | by_phone)
        self.assertEqual(
            {row.order_id: (row.rating_avg, row.rating_count) for row in rows},
            {by_mail: (5.0, 1), by_phone: (3.0, 1)},
        )
        [group] = self.env["sale.policy.kpi.report"]._read_group(
            [("order_id", "in", (by_mail | by_phone).ids)],
            ["user_id"],
            ["rating_avg:avg", "rating_count:sum"],
        )
        self.assertEqual(group[1:], (4.0, 2))
        self.salesman.invalidate_recordset()
        self.assertEqual(self.salesman.policy_rating_avg, 4.0)
        self.assertEqual(self.salesman.policy_rating_count, 2)

    def test_low_phone_rating_raises_the_quality_exception(self):
        order = self._delivered_order()
        self._request_ratings("2026-03-08 11:00:00")
        with freeze_time("2026-03-09 09:00:00"):
            self._record(order, "1", feedback="阀门有划痕")
        self.assertEqual(len(order.rating_ids), 1, "the pending e-mailed rating is answered")
        self.assertEqual(order.rating_ids.policy_channel, "phone")
        exception = self.env["sale.policy.exception"].search(
            [("order_id", "=", order.id), ("code", "=", "quality")]
        )
        self.assertEqual(len(exception), 1)
        self.assertIn("1/5", exception.description)
        self.assertIn("阀门有划痕", exception.description)
        urgent = self._visits(order)
        self.assertEqual(len(urgent), 1, "the planned visit is done, the urgent one is open")
        self.assertEqual(str(urgent.date_deadline), "2026-03-09")

    def test_only_who_may_edit_the_order_records_a_visit(self):
        order = self._delivered_order()
        with self.assertRaises(AccessError):
            self._record(order, "5", user=self.salesman_other)
        self.assertFalse(order.rating_ids)
