import re

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import SalePolicyCase


class RatingFlowMixin:
    @classmethod
    def _delivered_order(cls, day="2026-03-01 10:00:00", **vals):
        """An order approved, confirmed and fully delivered on `day`."""
        with freeze_time(day):
            order = cls._make_order(**vals)
            order.with_user(cls.salesman).action_submit_for_review()
            order.with_user(cls.salesman).action_confirm()
            picking = order.picking_ids
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.move_ids.picked = True
            picking.button_validate()
            cls.env.flush_all()  # the delivery milestone is stamped when computed
        return order

    def _request_ratings(self, day):
        with freeze_time(day):
            self.env.ref(
                "sale_order_policy.ir_cron_sale_policy_rating_request"
            ).method_direct_trigger()


@tagged("post_install", "-at_install")
class TestAfterSalesRating(RatingFlowMixin, SalePolicyCase):
    """售后满意度: rating request N days after delivery, feedback, 回访, low ratings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"sale_policy_rating_days": 7, "sale_policy_rating_low": 1.0})
        cls.return_visit = cls.env.ref("sale_order_policy.mail_activity_type_policy_return_visit")

    def test_request_sent_after_delivery_once(self):
        order = self._delivered_order()
        self.assertEqual(order.delivery_status, "full")

        self._request_ratings("2026-03-05 10:00:00")
        self.assertFalse(order.policy_rating_requested_on, "only 4 days after delivery")
        self.assertFalse(order.rating_ids)

        self._request_ratings("2026-03-08 11:00:00")
        self.assertEqual(str(order.policy_rating_requested_on), "2026-03-08 11:00:00")
        rating = order.rating_ids
        self.assertEqual(len(rating), 1)
        self.assertEqual(rating.partner_id, self.customer)
        self.assertEqual(rating.rated_partner_id, self.salesman.partner_id)
        self.assertFalse(rating.consumed)
        request = order.message_ids.filtered(lambda msg: rating.access_token in (msg.body or ""))
        self.assertEqual(len(request), 1)
        self.assertIn(f"/rate/{rating.access_token}/5", request.body)
        self.assertIn(self.customer, request.notified_partner_ids)
        visit = order.activity_ids.filtered(lambda act: act.activity_type_id == self.return_visit)
        self.assertEqual(visit.user_id, self.salesman)

        self._request_ratings("2026-03-20 11:00:00")
        self.assertEqual(len(order.rating_ids), 1, "one request per order")

    def test_feedback_recorded_and_rolled_up(self):
        order = self._delivered_order()
        self._request_ratings("2026-03-08 11:00:00")
        token = order.rating_ids.access_token
        order.sudo().rating_apply(5, token=token, feedback="准时交货, 质量很好")
        self.assertEqual(order.rating_last_value, 5.0)
        self.assertEqual(order.rating_last_feedback, "准时交货, 质量很好")
        self.assertFalse(order.policy_exception_ids, "a good rating raises nothing")
        # A second order of the same customer and salesperson, rated "okay".
        other = self._delivered_order("2026-03-02 10:00:00")
        self._request_ratings("2026-03-10 11:00:00")
        other.sudo().rating_apply(3, token=other.rating_ids.access_token)
        self.customer.invalidate_recordset()
        self.salesman.invalidate_recordset()
        self.assertEqual(self.customer.policy_rating_avg, 4.0)
        self.assertEqual(self.customer.policy_rating_count, 2)
        self.assertEqual(self.salesman.policy_rating_avg, 4.0)
        self.assertEqual(self.salesman_other.policy_rating_count, 0)

    def test_low_rating_opens_quality_exception(self):
        order = self._delivered_order()
        self._request_ratings("2026-03-08 11:00:00")
        with freeze_time("2026-03-09 09:00:00"):
            order.sudo().rating_apply(
                1, token=order.rating_ids.access_token, feedback="Damaged on arrival"
            )
        self.assertEqual(order.rating_last_value, 1.0)
        exception = self.env["sale.policy.exception"].search(
            [("order_id", "=", order.id), ("code", "=", "quality")]
        )
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception.state, "open")
        self.assertIn("1/5", exception.description)
        self.assertIn("Damaged on arrival", exception.description)
        urgent = order.activity_ids.filtered(
            lambda act: act.activity_type_id == self.return_visit
            and str(act.date_deadline) == "2026-03-09"
        )
        self.assertEqual(urgent.user_id, self.salesman)
        self.assertIn("Damaged on arrival", str(urgent.note))

    def test_rating_threshold_is_configurable(self):
        self.company.sale_policy_rating_low = 3.0
        order = self._delivered_order()
        self._request_ratings("2026-03-08 11:00:00")
        order.sudo().rating_apply(3, token=order.rating_ids.access_token)
        self.assertEqual(
            self.env["sale.policy.exception"].search_count(
                [("order_id", "=", order.id), ("code", "=", "quality")]
            ),
            1,
        )

    def test_no_request_when_disabled(self):
        self.company.sale_policy_rating_days = 0
        order = self._delivered_order()
        self._request_ratings("2026-04-30 11:00:00")
        self.assertFalse(order.rating_ids)


@tagged("post_install", "-at_install")
class TestAfterSalesRatingPage(RatingFlowMixin, HttpCase, SalePolicyCase):
    """The customer answers through Odoo's rating page, without logging in."""

    def test_customer_rates_through_the_feedback_page(self):
        order = self._delivered_order("2026-03-01 10:00:00")
        self.company.sale_policy_rating_days = 7
        self._request_ratings("2026-03-08 11:00:00")
        token = order.rating_ids.access_token
        page = self.url_open(f"/rate/{token}/5")
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = self.url_open(
            f"/rate/{token}/submit_feedback",
            data={"rate": 5, "feedback": "Very good service", "csrf_token": csrf},
        )
        self.assertEqual(answer.status_code, 200)
        order.invalidate_recordset()
        self.assertEqual(order.rating_last_value, 5.0)
        self.assertEqual(order.rating_last_feedback, "Very good service")
