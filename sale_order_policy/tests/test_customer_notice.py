from datetime import datetime, timedelta

from freezegun import freeze_time
from psycopg2 import OperationalError

from odoo.tests import Form, new_test_user, tagged

from .test_tracking import TrackingCase

NOW = datetime(2026, 3, 2, 9, 0, 0)


class CustomerNoticeCase(TrackingCase):
    def _approved(self, **vals):
        """An order approved at once (no rule applies), still a quotation."""
        order = self._make_order(**vals)
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "approved")
        return order

    def _sent_to_customer(self, record):
        return record.message_ids.filtered(
            lambda m: m.message_type == "comment" and self.customer in m.partner_ids
        )

    def _send_from_composer(self, action, user):
        composer = Form(
            self.env["mail.compose.message"].with_user(user).with_context(**action["context"])
        ).save()
        composer._action_send_mail()
        return composer


@tagged("post_install", "-at_install")
class TestOrderConfirmationNotice(CustomerNoticeCase):
    """订单确认: the approved order goes back to the customer with its dates."""

    def test_one_click_from_the_approved_order(self):
        order = self._approved(commitment_date=datetime(2026, 12, 24, 10, 0))
        self.assertTrue(order.policy_can_send_confirmation)
        self.assertFalse(self._sent_to_customer(order), "the option is off: nothing automatic")
        action = order.with_user(self.salesman).action_policy_send_confirmation()
        self.assertEqual(action["res_model"], "mail.compose.message")
        composer = self._send_from_composer(action, self.salesman)
        self.assertIn(order.name, composer.subject)
        message = self._sent_to_customer(order)
        self.assertEqual(len(message), 1)
        self.assertIn("Steel Valve", message.body)
        self.assertIn("Promised delivery date", message.body)
        self.assertIn("12/24/2026", message.body)
        self.assertIn("Expected shipping date", message.body)
        self.assertTrue(order.policy_confirmation_sent_on)

    def test_refused_before_approval(self):
        order = self._make_order()
        self.assertFalse(order.policy_can_send_confirmation)
        with self.assertRefusedWith("not approved yet"):
            order.with_user(self.salesman).action_policy_send_confirmation()

    def test_sent_automatically_once_per_approval(self):
        self.company.sale_policy_notify_confirmation = True
        with freeze_time(NOW):
            order = self._approved()
            message = self._sent_to_customer(order)
            self.assertEqual(len(message), 1, "sent when approved")
            self.assertEqual(order.policy_confirmation_sent_on, NOW)
            mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
            self.assertEqual(mail.state, "outgoing", "queued, not sent inside the transaction")
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(len(self._sent_to_customer(order)), 1, "not again on confirmation")
        # Confirmed on the spot (no separate approval step): sent on confirmation.
        other = self._make_order()
        other.with_user(self.salesman).action_confirm()
        self.assertEqual(other.state, "sale")
        self.assertEqual(len(self._sent_to_customer(other)), 1)

    def test_date_cannot_be_forged(self):
        order = self._approved()
        with self.assertRefusedWith("change only through submission and review"):
            order.with_user(self.salesman).write({"policy_confirmation_sent_on": NOW})


@tagged("post_install", "-at_install")
class TestShippingNotice(CustomerNoticeCase):
    """发货通知: one notice per validated delivery, partial deliveries said so."""

    def test_full_delivery_notified_once(self):
        order = self._confirmed()
        picking = order.picking_ids
        picking.policy_tracking_ref = "SF1234567890"
        self._deliver(order)
        notice = self._sent_to_customer(picking)
        self.assertEqual(len(notice), 1)
        self.assertIn("shipping notice", notice.subject)
        self.assertNotIn("partial", notice.subject)
        self.assertIn("All the goods", notice.body)
        self.assertIn("SF1234567890", notice.body)
        self.assertTrue(picking.policy_shipping_notified_on)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", notice.id)])
        self.assertEqual(mail.state, "outgoing")
        # Validated again, or the job retried: still one notice.
        picking._action_done()
        self.assertFalse(picking._policy_send_shipping_notice())
        # Two workers racing: the stamp is claimed in SQL, the second claims nothing.
        self.assertFalse(picking._policy_claim_shipping_notice())
        self.assertEqual(len(self._sent_to_customer(picking)), 1)

    def test_rolled_back_validation_retried_sends_one_notice(self):
        """A validation whose transaction fails (e.g. a serialization error) is retried:
        the stamp and the queued e-mail went away with it, the retry sends one notice."""
        order = self._confirmed()
        picking = order.picking_ids
        with self.assertRaises(OperationalError), self.env.cr.savepoint():
            self._deliver(order)
            self.assertEqual(len(self._sent_to_customer(picking)), 1)
            self.env.flush_all()
            raise OperationalError("could not serialize access due to concurrent update")
        self.env.invalidate_all()
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(picking.policy_shipping_notified_on)
        self.assertFalse(self._sent_to_customer(picking))
        self._deliver(order)
        self.assertEqual(len(self._sent_to_customer(picking)), 1)

    def test_partial_delivery_worded_as_such(self):
        order = self._confirmed(lines=[(self.product, 5, 100.0)])
        with freeze_time(NOW):
            first = self._deliver(order, qty=2)
        notice = self._sent_to_customer(first)
        self.assertEqual(len(notice), 1)
        self.assertIn("partial delivery", notice.subject)
        self.assertIn("partial delivery", notice.body)
        self.assertIn("Still to be delivered", notice.body)
        self.assertIn("3 Units", notice.body)
        rest = self._deliver(order)
        last = self._sent_to_customer(rest)
        self.assertEqual(len(last), 1, "the backorder gets its own notice")
        self.assertNotIn("partial", last.subject)

    def test_sent_when_a_stock_user_validates(self):
        """The storekeeper cannot read sales orders; the notice still lists their lines."""
        storekeeper = new_test_user(
            self.env, "sop_storekeeper", groups="base.group_user,stock.group_stock_user"
        )
        order = self._confirmed()
        picking = order.picking_ids.with_user(storekeeper)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        notice = self._sent_to_customer(picking)
        self.assertEqual(len(notice), 1)
        self.assertIn("Steel Valve", notice.body)
        self.assertEqual(notice.author_id, self.salesman.partner_id)

    def test_switched_off(self):
        self.company.sale_policy_notify_shipping = False
        order = self._confirmed()
        picking = self._deliver(order)
        self.assertFalse(self._sent_to_customer(picking))
        self.assertFalse(picking.policy_shipping_notified_on)


@tagged("post_install", "-at_install")
class TestDelayNotice(CustomerNoticeCase):
    """延期通知: the customer is told the cause, the solution and the new date."""

    def _late_exception(self):
        order = self._confirmed()
        with freeze_time(NOW):
            exc = self.Exc._policy_raise(order, "late_delivery", "Delivery is late")
        return exc

    def _not_told(self):
        return self.Exc.with_user(self.sales_head).search([("customer_not_told", "=", True)])

    def test_notify_customer_recorded_and_filtered(self):
        exc = self._late_exception()
        self.assertTrue(exc.customer_notice_required)
        with freeze_time(NOW + timedelta(hours=23)):
            self.assertNotIn(exc, self._not_told(), "still within the 24 hours")
        with freeze_time(NOW + timedelta(hours=25)):
            self.assertIn(exc, self._not_told())
            exc.invalidate_recordset()
            self.assertTrue(exc.customer_not_told)
            with self.assertRefusedWith("Write the cause and the proposed solution"):
                exc.with_user(self.salesman).action_policy_notify_customer()
            exc.with_user(self.salesman).write(
                {
                    "customer_delay_cause": "原材料供应商延迟交货",
                    "customer_solution": "Ship 1 now, the rest next week",
                    "customer_new_date": "2026-03-12",
                }
            )
            action = exc.with_user(self.salesman).action_policy_notify_customer()
            self._send_from_composer(action, self.salesman)
            notice = self._sent_to_customer(exc)
            self.assertEqual(len(notice), 1)
            self.assertIn("原材料供应商延迟交货", notice.body)
            self.assertIn("Ship 1 now", notice.body)
            self.assertIn("03/12/2026", notice.body)
            self.assertEqual(exc.customer_notified_on, NOW + timedelta(hours=25))
            self.assertEqual(exc.customer_notified_by_id, self.salesman)
            self.assertNotIn(exc, self._not_told())
        log = exc.order_id.policy_log_ids.filtered(
            lambda line: "Customer told of the delay" in (line.comment or "")
        )
        self.assertEqual(len(log), 1)

    def test_untold_delay_escalated_to_team_leader(self):
        exc = self._late_exception()
        with freeze_time(NOW + timedelta(hours=25)):
            escalated = self.Exc._policy_escalate()
        self.assertIn(exc, escalated)
        self.assertEqual(exc.customer_notice_escalated_on, NOW + timedelta(hours=25))
        leader_todo = exc.activity_ids.filtered(
            lambda a: a.user_id == self.sales_head and "Tell the customer" in (a.summary or "")
        )
        self.assertEqual(len(leader_todo), 1)
        with freeze_time(NOW + timedelta(hours=30)):
            self.Exc._policy_escalate()
        self.assertEqual(
            len(
                exc.activity_ids.filtered(
                    lambda a: a.user_id == self.sales_head
                    and "Tell the customer" in (a.summary or "")
                )
            ),
            1,
        )

    def test_setting_changes_the_threshold(self):
        self.company.sale_policy_delay_notice_hours = 4
        exc = self._late_exception()
        with freeze_time(NOW + timedelta(hours=5)):
            self.assertIn(exc, self._not_told())

    def test_notified_date_cannot_be_forged_and_other_types_refused(self):
        exc = self._late_exception()
        with self.assertRefusedWith("recorded by Notify Customer"):
            exc.with_user(self.salesman).write({"customer_notified_on": NOW})
        quality = self.Exc._policy_raise(exc.order_id, "quality", "Scratched")
        self.assertFalse(quality.customer_notice_required)
        with self.assertRefusedWith("Only late deliveries and stock shortages"):
            quality.with_user(self.salesman).action_policy_notify_customer()


@tagged("post_install", "-at_install")
class TestNoticeTemplatesInChinese(CustomerNoticeCase):
    """The customer reads the notices in its language (zh_CN: the policy's terms)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["sale_order_policy"], ["zh_CN"], overwrite=True
        )
        cls.customer.lang = "zh_CN"

    def _render(self, xmlid, record):
        template = self.env.ref(xmlid)
        subject = template._render_field("subject", record.ids, compute_lang=True)[record.id]
        body = template._render_field("body_html", record.ids, compute_lang=True)[record.id]
        return subject, str(body)

    def test_templates_render_in_chinese(self):
        order = self._confirmed(lines=[(self.product, 5, 100.0)])
        subject, body = self._render(
            "sale_order_policy.mail_template_policy_order_confirmation", order
        )
        self.assertIn("订单确认", subject)
        self.assertIn("预计发货日期", body)
        picking = self._deliver(order, qty=2)
        subject, body = self._render(
            "sale_order_policy.mail_template_policy_shipping_notice", picking
        )
        self.assertIn("部分发货", subject)
        self.assertIn("待发货", body)
        exc = self.Exc._policy_raise(order, "late_delivery", "Delivery is late")
        exc.customer_solution = "分批发货"
        subject, body = self._render("sale_order_policy.mail_template_policy_delay_notice", exc)
        self.assertIn("延期通知", subject)
        self.assertIn("解决方案", body)
