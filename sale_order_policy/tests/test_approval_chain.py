from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestApprovalChain(SalePolicyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_head = cls._make_rule(
            "Sales Head", 10, reviewer_type="team_leader", department="sales"
        )
        cls.rule_finance = cls._make_rule(
            "Finance",
            20,
            reviewer_type="group",
            department="finance",
            reviewer_group_id=cls.env.ref("sale_order_policy.group_finance_reviewer").id,
        )
        cls.rule_warehouse = cls._make_rule(
            "Warehouse",
            20,
            reviewer_user_ids=[Command.set(cls.warehouse.ids)],
            department="warehouse",
        )
        cls.rule_gm = cls._make_rule(
            "General Manager",
            30,
            reviewer_user_ids=[Command.set(cls.gm.ids)],
            amount_min=100.0,
            department="management",
        )

    def _reviews(self, order, rule):
        return order.policy_review_ids.filtered(lambda r: r.rule_id == rule)

    def _states(self, order):
        return {
            r.rule_id.name: r.state
            for r in order.policy_review_ids
            if r.review_round == order.policy_round
        }

    def test_full_chain_with_parallel_tier(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "pending")
        self.assertEqual(order.policy_round, 1)
        self.assertEqual(
            self._states(order),
            {
                "Sales Head": "pending",
                "Finance": "waiting",
                "Warehouse": "waiting",
                "General Manager": "waiting",
            },
        )
        head_review = self._reviews(order, self.rule_head)
        self.assertEqual(head_review.reviewer_user_ids, self.sales_head)
        self.assertTrue(head_review.deadline)
        self.assertEqual(len(head_review.activity_ids), 1)

        head_review.with_user(self.sales_head).action_approve("OK from sales")
        self.assertEqual(self._states(order)["Finance"], "pending")
        self.assertEqual(self._states(order)["Warehouse"], "pending")
        self.assertEqual(self._states(order)["General Manager"], "waiting")

        self._reviews(order, self.rule_finance).with_user(self.finance).action_approve()
        # The parallel warehouse step still holds the next tier closed.
        self.assertEqual(self._states(order)["General Manager"], "waiting")
        self.assertEqual(order.approval_state, "pending")

        self._reviews(order, self.rule_warehouse).with_user(self.warehouse).action_approve()
        self.assertEqual(self._states(order)["General Manager"], "pending")

        with self.assertRaises(UserError):
            order.with_user(self.salesman).action_confirm()

        self._reviews(order, self.rule_gm).with_user(self.gm).action_approve("同意")
        self.assertEqual(order.approval_state, "approved")
        self.assertTrue(order.policy_approved_on)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        events = order.policy_log_ids.mapped("event")
        self.assertEqual(events.count("approve"), 4)
        self.assertIn("submit", events)
        self.assertIn("confirm", events)
        gm_log = order.policy_log_ids.filtered(lambda log: log.user_id == self.gm)
        self.assertEqual(gm_log.comment, "同意")
        self.assertEqual(gm_log.amount_total, order.amount_total)

    def test_reviewers_notified_after_commit(self):
        """Activities at once; Odoo's assignment notification from the triggered cron."""
        cron = self.env.ref("sale_order_policy.ir_cron_sale_policy_notify_activities")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        activity = self._reviews(order, self.rule_head).activity_ids
        self.assertEqual(activity.user_id, self.sales_head)
        self.assertEqual(activity.res_id, order.id)
        self.assertTrue(activity.policy_notify_pending)
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers
        )
        # The reviewer may read the order they review, and is not told anything yet.
        self.assertIn(self.sales_head, order.policy_reader_user_ids)
        head_partner = self.sales_head.partner_id

        def assignments():
            return self.env["mail.message"].search(
                [
                    ("model", "=", "sale.order"),
                    ("res_id", "=", order.id),
                    ("partner_ids", "in", head_partner.ids),
                ]
            )

        self.assertFalse(assignments())
        self.env["mail.activity"]._cron_policy_notify()
        message = assignments()
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.salesman.partner_id)
        self.assertIn(activity.summary, message.subject)
        self.assertFalse(activity.policy_notify_pending)
        self.env["mail.activity"]._cron_policy_notify()
        self.assertEqual(len(assignments()), 1, "notified once")
        # The next tier's reviewers are notified the same way, once it opens.
        self._reviews(order, self.rule_head).with_user(self.sales_head).action_approve()
        finance_activities = self._reviews(order, self.rule_finance).activity_ids
        self.assertTrue(finance_activities)
        self.assertTrue(all(finance_activities.mapped("policy_notify_pending")))
        self.assertIn(self.finance, order.policy_reader_user_ids)

    def test_no_rule_applies_auto_approves(self):
        (self.rule_head | self.rule_finance | self.rule_warehouse | self.rule_gm).write(
            {"active": False}
        )
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.approval_state, "approved")
        self.assertFalse(order.policy_review_ids)
        self.assertIn("auto_approve", order.policy_log_ids.mapped("event"))
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_policy_disabled_changes_nothing(self):
        self.company.sale_policy_enabled = False
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        self.assertFalse(order.policy_review_ids)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_gate_holds_on_every_path(self):
        order = self._make_order()
        with self.assertRaisesRegex(UserError, "cannot be confirmed before it is approved"):
            order.with_user(self.salesman).action_confirm()
        with self.assertRaises(UserError):
            order.with_context(skip_policy=True, sale_policy_bypass=True).action_confirm()
        with self.assertRaises(UserError):
            order.sudo().write({"state": "sale"})
        for user in (self.salesman, self.env.ref("base.user_admin")):
            with self.assertRaises(UserError):
                order.with_user(user).write({"approval_state": "approved"})
        with self.assertRaises(UserError):
            order.sudo().write({"approval_state": "approved"})
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.approval_state, "draft")

    def test_reviews_and_logs_cannot_be_forged(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        review = self._reviews(order, self.rule_head)
        admin = self.env.ref("base.user_admin")
        for env_review in (review.with_user(admin), review.sudo()):
            with self.assertRaises(UserError):
                env_review.write({"state": "approved"})
            with self.assertRaises(UserError):
                env_review.write({"decided_by_id": admin.id})
            with self.assertRaises(UserError):
                env_review.unlink()
        with self.assertRaises(UserError):
            self.env["sale.policy.review"].sudo().create(
                {"order_id": order.id, "rule_id": self.rule_head.id, "name": "Fake"}
            )
        log = order.policy_log_ids[:1]
        with self.assertRaises(UserError):
            log.sudo().write({"comment": "rewritten"})
        with self.assertRaises(UserError):
            log.sudo().unlink()
        with self.assertRaises(UserError):
            self.env["sale.policy.log"].sudo().create(
                {"order_id": order.id, "event": "approve", "user_id": admin.id}
            )
        self.assertEqual(review.state, "pending")

    def test_self_approval_and_outsiders_refused(self):
        # The salesperson is listed as reviewer: they are never asked to review their own order.
        self.rule_head.write(
            {
                "reviewer_type": "users",
                "reviewer_user_ids": [Command.set((self.salesman | self.sales_head).ids)],
            }
        )
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        review = self._reviews(order, self.rule_head)
        self.assertEqual(review.reviewer_user_ids, self.sales_head)
        with self.assertRaises(AccessError):
            review.with_user(self.salesman).sudo().action_approve()
        with self.assertRaises(AccessError):
            review.with_user(self.salesman_other).action_approve()
        with self.assertRaises(AccessError):
            review.with_user(self.gm).action_approve()
        review.with_user(self.sales_head).action_approve()
        with self.assertRaisesRegex(UserError, "already been decided"):
            review.with_user(self.sales_head).action_approve()
        # A waiting step cannot be decided ahead of its tier (no tier skipping).
        gm_review = self._reviews(order, self.rule_gm)
        self.assertEqual(gm_review.state, "waiting")
        with self.assertRaises(UserError):
            gm_review.with_user(self.gm).action_approve()

    def test_reject_and_resubmit_keeps_history(self):
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        head = self._reviews(order, self.rule_head)
        with self.assertRaises(UserError):
            head.with_user(self.sales_head).action_reject("   ")
        head.with_user(self.sales_head).action_reject("Price too low")
        self.assertEqual(order.approval_state, "rejected")
        self.assertEqual(head.state, "rejected")
        self.assertEqual(head.comment, "Price too low")
        self.assertTrue(all(r.state == "cancelled" for r in order.policy_review_ids - head))
        self.assertTrue(
            order.activity_ids.filtered(
                lambda a: a.user_id == self.salesman
                and a.activity_type_id
                == self.env.ref("sale_order_policy.mail_activity_type_policy_rejected")
            )
        )
        # The salesperson corrects the order and submits again: a new round.
        order.with_user(self.salesman).order_line[0].price_unit = 105.0
        order.with_user(self.salesman).action_submit_for_review()
        self.assertEqual(order.policy_round, 2)
        self.assertEqual(len(order.policy_review_ids.filtered(lambda r: r.review_round == 1)), 4)
        self.assertEqual(len(order.policy_review_ids.filtered(lambda r: r.review_round == 2)), 4)
        self.assertEqual(head.state, "rejected")
        self.assertEqual(
            order.policy_log_ids.filtered(lambda log: log.event == "submit").mapped("review_round"),
            [2, 1],
        )

    def test_all_mode_needs_every_reviewer(self):
        self.rule_finance.write(
            {
                "reviewer_type": "users",
                "approval_mode": "all",
                "reviewer_user_ids": [Command.set((self.finance | self.finance2).ids)],
            }
        )
        (self.rule_head | self.rule_warehouse | self.rule_gm).write({"active": False})
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        review = self._reviews(order, self.rule_finance)
        review.with_user(self.finance).action_approve()
        self.assertEqual(review.state, "pending")
        self.assertEqual(review.approved_user_ids, self.finance)
        with self.assertRaises(AccessError):
            review.with_user(self.finance).action_approve()
        self.assertEqual(order.approval_state, "pending")
        review.with_user(self.finance2).action_approve()
        self.assertEqual(review.state, "approved")
        self.assertEqual(order.approval_state, "approved")

    def test_one_reviewer_of_two_parallel_steps(self):
        """A reviewer of both steps of a tier gets one activity per step (and follows the
        order once); each step is decided on its own."""
        self.rule_warehouse.reviewer_user_ids = self.finance
        (self.rule_head | self.rule_gm).write({"active": False})
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        finance_review = self._reviews(order, self.rule_finance)
        warehouse_review = self._reviews(order, self.rule_warehouse)
        self.assertEqual((finance_review | warehouse_review).mapped("state"), ["pending"] * 2)
        mine = (finance_review | warehouse_review).activity_ids.filtered(
            lambda a: a.user_id == self.finance
        )
        self.assertEqual(len(mine), 2)
        self.assertEqual(
            order.message_follower_ids.partner_id.ids.count(self.finance.partner_id.id), 1
        )
        warehouse_review.with_user(self.finance).action_approve()
        self.assertEqual(order.approval_state, "pending")
        finance_review.with_user(self.finance).action_approve()
        self.assertEqual(order.approval_state, "approved")

    def test_delegation(self):
        (self.rule_head | self.rule_finance | self.rule_warehouse).write({"active": False})
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        review = self._reviews(order, self.rule_gm)
        # Nobody can make themself the delegate of someone else.
        with self.assertRaises(AccessError):
            self.env["sale.policy.delegation"].with_user(self.finance).create(
                {"user_id": self.gm.id, "delegate_id": self.finance.id, "date_to": "2099-01-01"}
            )
        with self.assertRaises(AccessError):
            review.with_user(self.finance).action_approve()
        self.env["sale.policy.delegation"].with_user(self.gm).create(
            {"delegate_id": self.finance.id, "date_to": "2099-01-01"}
        )
        # The substitute reads the order under review (record rules), like the reviewer.
        self.assertEqual(order.with_user(self.finance).read(["name"])[0]["name"], order.name)
        review.with_user(self.finance).action_approve("批准（代理）")
        self.assertEqual(review.decided_by_id, self.finance)
        self.assertEqual(review.decided_for_id, self.gm)
        log = order.policy_log_ids.filtered(lambda log: log.event == "approve")
        self.assertEqual(log.on_behalf_of_id, self.gm)
        self.assertEqual(order.approval_state, "approved")

    def test_under_review_is_read_only_and_approval_resets(self):
        (self.rule_finance | self.rule_warehouse | self.rule_gm).write({"active": False})
        order = self._make_order()
        order.with_user(self.salesman).action_submit_for_review()
        with self.assertRefusedWith("under review"):
            order.with_user(self.salesman).write({"payment_term_id": False})
        with self.assertRefusedWith("under review"):
            order.with_user(self.salesman).order_line[0].product_uom_qty = 5
        with self.assertRefusedWith("under review"):
            order.with_user(self.salesman).write(
                {"order_line": [Command.create({"product_id": self.service.id, "price_unit": 80})]}
            )
        # Free fields stay editable.
        order.with_user(self.salesman).write({"client_order_ref": "PO-123", "note": "Call first"})
        self._reviews(order, self.rule_head).with_user(self.sales_head).action_approve()
        self.assertEqual(order.approval_state, "approved")
        order.with_user(self.salesman).order_line[0].product_uom_qty = 3
        self.assertEqual(order.approval_state, "draft")
        self.assertEqual(order.policy_log_ids[0].event, "reset")
        with self.assertRaises(UserError):
            order.with_user(self.salesman).action_confirm()

    def test_portal_signature_and_payment_go_to_review(self):
        (self.rule_finance | self.rule_warehouse | self.rule_gm).write({"active": False})
        order = self._make_order()
        order.sudo()._validate_order()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.approval_state, "pending")
        self.assertIn("portal", order.policy_log_ids.mapped("event"))
        self.assertTrue(order.activity_ids.filtered(lambda a: a.user_id == self.salesman))
        # Online payment: the same.
        order2 = self._make_order()
        provider = (
            self.env["payment.provider"]
            .sudo()
            .create({"name": "Test Provider", "code": "none", "state": "test"})
        )
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                    "amount": order2.amount_total,
                    "currency_id": order2.currency_id.id,
                    "partner_id": self.customer.id,
                    "reference": "TEST-SOP-1",
                    "sale_order_ids": [Command.set(order2.ids)],
                }
            )
        )
        tx.state = "done"
        confirmed = tx._check_amount_and_confirm_order()
        self.assertFalse(confirmed)
        self.assertEqual(order2.state, "draft")
        self.assertEqual(order2.approval_state, "pending")
        self.assertIn("portal", order2.policy_log_ids.mapped("event"))

    def test_incomplete_order_refused_with_every_missing_element(self):
        order = self._make_order(
            lines=[(self.product, 0, 100.0), (self.service, 1, 0.0)],
            payment_term_id=False,
            commitment_date=False,
            customer_confirmation_method=False,
            intake_channel=False,
        )
        with self.assertRaises(UserError) as caught:
            order.with_user(self.salesman).action_submit_for_review()
        message = caught.exception.args[0]
        for fragment in (
            "quantity above zero",
            "price above zero",
            "delivery date",
            "payment terms",
            "customer confirmed",
            "intake channel",
        ):
            self.assertIn(fragment, message)
        self.assertEqual(order.approval_state, "draft")
