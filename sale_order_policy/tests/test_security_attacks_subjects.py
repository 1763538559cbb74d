from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from ..models.sale_policy_protected_mixin import policy_privileged
from .common_rpc import PolicyRpcCase

NOW = "2026-03-01 09:00:00"
REWARD = "sale.policy.reward.penalty"
PROPOSAL = "sale.policy.rule.proposal"
RULE = "sale.policy.rule"
PRESET = "sale.policy.chain.preset.apply"
VISIT = "sale.policy.return.visit"


@tagged("post_install", "-at_install")
class TestSubjectAttacks(PolicyRpcCase):
    """The subjects added after the order (奖惩, rule proposals, the configuration log,
    chain presets, statements, evidence, customer notices, review deadlines) attacked over
    real XML-RPC and JSON-RPC by a salesperson, reviewers, a policy admin and portal
    users. `test_refused_*`: the module refuses; `test_hole_*`: a promise a forged call
    broke (fixed in the feature's file when the fix was small and safe)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gm2 = new_test_user(
            cls.env,
            "sop_gm2",
            groups="base.group_user,sale_order_policy.group_general_manager",
            name="Manager Mei",
        )
        cls.rule_reward = cls._make_rule(
            "Reward GM",
            10,
            applies_to="reward_penalty",
            reviewer_user_ids=[Command.set((cls.gm | cls.gm2).ids)],
        )
        cls.rule_change = cls._make_rule(
            "Rule Change GM",
            10,
            applies_to="rule_change",
            reviewer_user_ids=[Command.set((cls.gm | cls.gm2).ids)],
        )
        cls.portal_a = new_test_user(cls.env, "sop_portal_a", groups="base.group_portal")
        cls.portal_b = new_test_user(cls.env, "sop_portal_b", groups="base.group_portal")
        cls.Reward = cls.env["sale.policy.reward.penalty"]

    # -- helpers -----------------------------------------------------------

    def _reward(self, user=None, **vals):
        return (
            self.Reward.with_user(user or self.sales_head)
            .create(
                {
                    "employee_id": self.salesman.id,
                    "kind": "fine",
                    "amount": 200.0,
                    "reason": "Late order entry",
                    **vals,
                }
            )
            .with_env(self.env)
        )

    def _submitted_reward(self, user=None, **vals):
        reward = self._reward(user=user, **vals)
        reward.with_user(user or self.sales_head).action_submit()
        self.assertEqual(reward.state, "pending")
        return reward

    def _approval_on(self):
        self.company.sale_policy_rule_approval = True

    def _statement(self, partner, state="sent"):
        statement = (
            self.env["sale.policy.statement"]
            .with_user(self.finance)
            .create({"partner_id": partner.id, "date_from": "2026-03-01", "date_to": "2026-03-31"})
            .with_env(self.env)
        )
        if state != "draft":
            with policy_privileged():
                statement.write({"state": state})
        return statement

    def _created_ids(self, user, model, vals, context):
        """Create over JSON-RPC with `context`; the new ids (none when refused)."""
        ok, result = self._jsonrpc(user, model, "create", [vals], context=context)
        return self.env[model].browse(result if ok else [])

    # -- 1. 奖惩 -----------------------------------------------------------

    def test_refused_salesperson_creates_or_edits_reward_penalty(self):
        reward = self._reward()
        self.assertRefused(
            self.salesman,
            "sale.policy.reward.penalty",
            "create",
            {"employee_id": self.salesman.id, "kind": "reward", "amount": 9999, "reason": "me"},
        )
        self.assertRefused(
            self.salesman, "sale.policy.reward.penalty", "write", [reward.id], {"amount": 0}
        )
        self.assertRefused(self.salesman, "sale.policy.reward.penalty", "unlink", [reward.id])
        self.assertRefused(self.salesman, REWARD, "action_submit", [reward.id])

    def test_refused_manager_forges_engine_fields_of_reward_penalty(self):
        reward = self._reward()
        model = "sale.policy.reward.penalty"
        for forged in (
            {"state": "approved"},
            {"review_round": 3},
            {"requested_by_id": self.gm.id},
        ):
            self.assertRefused(
                self.sales_head,
                model,
                "create",
                {"employee_id": self.salesman.id, "kind": "reward", "amount": 1, "reason": "x"}
                | forged,
            )
            self.assertRefused(self.sales_head, model, "write", [reward.id], forged)
            self.assertRefused(self.sales_head, model, "copy", [reward.id], default=forged)
            self.assertRefused(self.sales_head, model, "web_save", [reward.id], forged, {})
        self.assertEqual(reward.state, "draft")

    def test_hole_reward_penalty_state_from_context_defaults(self):
        """`default_state` / `default_requested_by_id` in the context reached the engine
        fields on create: a fine born approved, without any review."""
        created = self._created_ids(
            self.sales_head,
            "sale.policy.reward.penalty",
            {"employee_id": self.salesman.id, "kind": "reward", "amount": 5000, "reason": "x"},
            {
                "default_state": "approved",
                "default_review_round": 1,
                "default_requested_by_id": self.gm.id,
            },
        )
        for reward in created:
            self.assertEqual(reward.state, "draft")
            self.assertFalse(reward.review_round)
            self.assertFalse(reward.requested_by_id)
        ok, result = self._jsonrpc(
            self.sales_head,
            "sale.policy.reward.penalty",
            "default_get",
            ["state", "review_round"],
            context={"default_state": "approved", "default_review_round": 2},
        )
        self.assertTrue(ok, result)
        self.assertEqual(result.get("state"), "draft")
        self.assertFalse(result.get("review_round"))

    def test_refused_reward_penalty_load_with_state(self):
        ok, result = self._jsonrpc(
            self.sales_head,
            "sale.policy.reward.penalty",
            "load",
            ["employee_id/.id", "kind", "amount", "reason", "state"],
            [[str(self.salesman.id), "reward", "100", "imported", "approved"]],
        )
        approved = self.Reward.search([("reason", "=", "imported"), ("state", "=", "approved")])
        self.assertFalse(approved, f"load() created an approved record: {result}")

    def test_refused_submitted_reward_penalty_is_frozen(self):
        reward = self._submitted_reward()
        model = "sale.policy.reward.penalty"
        for vals in ({"amount": 1.0}, {"reason": "nothing happened"}, {"employee_id": self.gm.id}):
            self.assertRefused(self.sales_head, model, "write", [reward.id], vals)
        self.assertRefused(self.sales_head, model, "unlink", [reward.id])
        self.assertRefused(self.sales_head, model, "action_cancel", [reward.id])
        self.assertEqual((reward.amount, reward.state), (200.0, "pending"))

    def test_refused_concerned_or_requester_approves_reward_penalty(self):
        model = "sale.policy.reward.penalty"
        # The general manager fined by a reward he requested himself.
        own = self._submitted_reward(user=self.gm, employee_id=self.gm.id)
        self.assertRefused(self.gm, model, "action_approve", [own.id], "ok")
        # The general manager who requested a fine for the salesperson.
        requested = self._submitted_reward(user=self.gm)
        self.assertRefused(self.gm, model, "action_approve", [requested.id], "ok")
        # The salesperson concerned.
        self.assertRefused(self.salesman, model, "action_approve", [requested.id], "ok")
        review = requested._policy_reviews().filtered(lambda r: r.state == "pending")
        self.assertRefused(self.gm, "sale.policy.review", "action_approve", review.ids, "ok")
        self.assertEqual((own.state, requested.state), ("pending", "pending"))
        # The other general manager decides.
        self._ok(self.gm2, model, "action_approve", [requested.id], "ok")
        self.assertEqual(requested.state, "approved")

    def test_refused_salesperson_reads_another_salespersons_reward_penalty(self):
        other = self._reward(employee_id=self.salesman_other.id)
        mine = self._reward()
        found = self._ok(self.salesman, "sale.policy.reward.penalty", "search_read", [], ["id"])
        self.assertEqual([row["id"] for row in found], mine.ids)
        self.assertRefused(self.salesman, REWARD, "read", other.ids, ["amount"])

    # -- 2. rule proposals -------------------------------------------------

    def test_hole_admin_bypasses_rule_approval_with_install_mode(self):
        """`install_mode` in an RPC context skipped the approval of a rule change."""
        self._approval_on()
        self._jsonrpc(
            self.policy_admin,
            "sale.policy.rule",
            "write",
            self.rule_head.ids,
            {"amount_min": 1.0, "name": "Bypassed"},
            context={"install_mode": True},
        )
        self._jsonrpc(
            self.policy_admin,
            "sale.policy.rule",
            "action_archive",
            self.rule_finance.ids,
            context={"install_mode": True},
        )
        self.assertEqual(self.rule_head.name, "Sales Head")
        self.assertEqual(self.rule_head.amount_min, 0.0)
        self.assertTrue(self.rule_finance.active)

    def test_refused_admin_edits_rules_without_approval(self):
        self._approval_on()
        model = "sale.policy.rule"
        self._ok(self.policy_admin, model, "write", self.rule_head.ids, {"amount_min": 5.0})
        self._ok(self.policy_admin, model, "action_archive", self.rule_head.ids)
        self._ok(self.policy_admin, model, "toggle_active", self.rule_finance.ids)
        self._ok(
            self.policy_admin,
            model,
            "write",
            self.rule_head.ids,
            {"amount_min": 7.0},
            context={"sale_policy_rule_proposal": 1, "tracking_disable": True},
        )
        copy_ids = self._ok(self.policy_admin, model, "copy", self.rule_head.ids)
        new_id = self._ok(
            self.policy_admin,
            model,
            "web_save",
            [],
            {"name": "Sneaky", "company_id": self.company.id, "reviewer_type": "team_leader"},
            {},
        )[0]["id"]
        self.assertRefused(self.policy_admin, model, "unlink", self.rule_head.ids)
        self.assertTrue(self.rule_head.active and self.rule_finance.active)
        self.assertEqual(self.rule_head.amount_min, 0.0)
        self.assertFalse(self.env[model].browse(copy_ids + [new_id]).filtered("active"))
        proposals = self.env["sale.policy.rule.proposal"].search([("state", "=", "pending")])
        self.assertGreaterEqual(len(proposals), 5)

    def test_refused_admin_forges_or_approves_own_proposal(self):
        self._approval_on()
        self.gm.groups_id = [Command.link(self.env.ref("sale_order_policy.group_policy_admin").id)]
        self._ok(self.gm, "sale.policy.rule", "write", self.rule_head.ids, {"amount_min": 9.0})
        proposal = self.env[PROPOSAL].search([("rule_id", "=", self.rule_head.id)])
        self.assertEqual(proposal.requested_by_id, self.gm)
        model = "sale.policy.rule.proposal"
        self.assertRefused(self.gm, model, "action_approve", proposal.ids, "mine")
        self.assertRefused(self.gm, model, "write", proposal.ids, {"state": "applied"})
        self.assertRefused(self.gm, model, "write", proposal.ids, {"values": {"amount_min": 99}})
        self.assertRefused(self.gm, model, "unlink", proposal.ids)
        self.assertRefused(
            self.policy_admin,
            model,
            "create",
            {"company_id": self.company.id, "rule_id": self.rule_head.id, "state": "applied"},
        )
        self.assertRefused(self.policy_admin, model, "copy", proposal.ids)
        self.assertEqual(self.rule_head.amount_min, 0.0)
        self._ok(self.gm2, model, "action_approve", proposal.ids, "ok")
        self.assertEqual(self.rule_head.amount_min, 9.0)

    def test_refused_non_admin_edits_rules_or_turns_approval_off(self):
        self._approval_on()
        for user in (self.salesman, self.sales_head, self.finance, self.gm):
            self.assertRefused(user, RULE, "write", self.rule_head.ids, {"sequence": 1})
            self.assertRefused(user, "sale.policy.rule", "action_archive", self.rule_head.ids)
        self.assertRefused(
            self.policy_admin,
            "res.company",
            "write",
            self.company.ids,
            {"sale_policy_rule_approval": False},
        )
        self.assertRefused(
            self.policy_admin, "res.config.settings", "create", {"sale_policy_rule_approval": False}
        )
        self.assertTrue(self.company.sale_policy_rule_approval)

    # -- 3. configuration log ----------------------------------------------

    def test_refused_config_log_is_append_only_and_private(self):
        self._approval_on()
        log = self.env["sale.policy.config.log"].search([], limit=1)
        self.assertTrue(log)
        model = "sale.policy.config.log"
        for user in (self.policy_admin, self.gm, self.salesman):
            self.assertRefused(
                user, model, "create", {"res_model": "sale.policy.rule", "event": "write"}
            )
            self.assertRefused(user, model, "write", log.ids, {"new_value": "nothing"})
            self.assertRefused(user, model, "unlink", log.ids)
            self.assertRefused(user, model, "copy", log.ids)
        for user in (self.salesman, self.portal_a):
            self.assertRefused(user, model, "search_read", [], ["old_value"])
        self.assertTrue(self._ok(self.gm, model, "search_read", [], ["old_value"], limit=1))

    # -- 4. chain presets --------------------------------------------------

    def test_refused_non_admin_applies_a_chain_preset(self):
        for user in (self.salesman, self.sales_head, self.finance, self.gm):
            self.assertRefused(
                user,
                "sale.policy.chain.preset.apply",
                "create",
                {"company_id": self.company.id, "preset": "head_only"},
            )
            self.assertRefused(
                user, "res.config.settings", "create", {"sale_policy_chain_preset": "head_only"}
            )
        self.assertTrue(self.rule_head.active and self.rule_finance.active)

    def test_refused_admin_wizard_skips_rule_approval(self):
        self._approval_on()
        wizard_id = self._ok(
            self.policy_admin,
            "sale.policy.chain.preset.apply",
            "create",
            {"company_id": self.company.id, "preset": "head_only"},
        )
        self._jsonrpc(self.policy_admin, PRESET, "action_apply", [wizard_id])
        self.assertTrue(self.rule_head.active and self.rule_finance.active)
        active = self.env["sale.policy.rule"].search([("company_id", "=", self.company.id)])
        kept = self.rule_head | self.rule_finance | self.rule_reward | self.rule_change
        self.assertEqual(active, kept)

    # -- 5. statements -----------------------------------------------------

    def test_hole_statement_state_from_context_defaults(self):
        """`default_state` / `default_responded_by_id` in the context reached the answer
        fields: refused only because the refresh then found the statement not in draft."""
        created = self._created_ids(
            self.salesman,
            "sale.policy.statement",
            {"partner_id": self.customer.id, "date_from": "2026-01-01", "date_to": "2026-01-31"},
            {
                "default_state": "confirmed",
                "default_responded_by_id": self.customer.id,
                "default_responded_on": NOW,
            },
        )
        self.assertTrue(created)
        for statement in created:
            self.assertEqual(statement.state, "draft")
            self.assertFalse(statement.responded_by_id)

    def test_refused_frozen_statement_figures_and_answers(self):
        statement = self._statement(self.customer)
        model = "sale.policy.statement"
        for vals in (
            {"closing_balance": 0.0},
            {"state": "confirmed"},
            {"responded_by_id": self.customer.id},
            {"date_to": "2026-04-30"},
            {"partner_id": self.portal_b.partner_id.id},
        ):
            self.assertRefused(self.finance, model, "write", statement.ids, vals)
        self.assertRefused(self.finance, model, "unlink", statement.ids)
        self.assertEqual(statement.state, "sent")

    def test_refused_portal_reads_or_answers_another_customers_statement(self):
        mine = self._statement(self.portal_a.partner_id)
        theirs = self._statement(self.portal_b.partner_id)
        model = "sale.policy.statement"
        self.assertRefused(self.portal_a, model, "read", theirs.ids, ["closing_balance"])
        found = self._ok(self.portal_a, model, "search_read", [], ["id"])
        self.assertEqual([row["id"] for row in found], mine.ids)
        self.assertRefused(self.portal_a, model, "write", mine.ids, {"state": "confirmed"})
        self.assertRefused(
            self.portal_a, model, "_policy_customer_answer", mine.ids, "confirm", "", 1
        )
        self.assertRefused(self.portal_a, model, "read", theirs.ids, ["access_token"])
        self.authenticate(self.portal_a.login, self.portal_a.login.ljust(8, "x"))
        response = self.url_open(f"/sale_order_policy/statement/{theirs.id}/xlsx")
        self.assertNotEqual(response.status_code, 200)
        response = self.url_open(f"/my/statements/{theirs.id}/answer", data={"answer": "confirm"})
        self.assertEqual(theirs.state, "sent")
        self.assertEqual(mine.state, "sent")

    # -- 6. evidence -------------------------------------------------------

    def test_refused_salesperson_removes_evidence_of_a_submitted_order(self):
        attachment = self.env["ir.attachment"].create(
            {"name": "wechat.png", "raw": b"proof", "res_model": "sale.order"}
        )
        order = self._make_order(customer_confirmation_attachment_ids=[Command.set(attachment.ids)])
        attachment.res_id = order.id
        order.with_user(self.salesman).action_submit_for_review()
        self.assertRefused(
            self.salesman,
            "sale.order",
            "write",
            order.ids,
            {"customer_confirmation_attachment_ids": [Command.clear()]},
        )
        self.assertRefused(
            self.salesman,
            "sale.order",
            "write",
            order.ids,
            {"customer_confirmation_method": "phone"},
        )
        self.assertRefused(self.salesman, "ir.attachment", "unlink", attachment.ids)
        self.assertRefused(self.salesman, "ir.attachment", "write", attachment.ids, {"raw": "eA=="})
        self.assertRefused(self.salesman, "ir.attachment", "write", attachment.ids, {"res_id": 0})
        self.assertEqual(order.customer_confirmation_attachment_ids, attachment)
        self.assertEqual(attachment.raw, b"proof")

    # -- 7. customer notices and return visits ---------------------------

    def test_refused_salesperson_forges_order_confirmation_sent(self):
        order = self._approved_order()
        self.assertRefused(
            self.salesman, "sale.order", "write", order.ids, {"policy_confirmation_sent_on": NOW}
        )
        self.assertRefused(
            self.salesman,
            "sale.order",
            "create",
            {"partner_id": self.customer.id, "policy_confirmation_sent_on": NOW},
        )
        created = self._created_ids(
            self.salesman,
            "sale.order",
            {"partner_id": self.customer.id},
            {"default_policy_confirmation_sent_on": NOW},
        )
        self.assertFalse(created.policy_confirmation_sent_on)
        self.assertFalse(order.policy_confirmation_sent_on)

    def test_hole_salesperson_forges_exception_customer_notice(self):
        """A delay exception created with `customer_notified_on` looked told to the
        customer although nobody was (and escaped the delay-notice escalation)."""
        order = self._confirmed_order()
        late = self.env.ref("sale_order_policy.exception_type_late_delivery")
        vals = {"order_id": order.id, "type_id": late.id, "description": "late"}
        created = self._created_ids(
            self.salesman,
            "sale.policy.exception",
            vals
            | {
                "customer_notified_on": NOW,
                "customer_notified_by_id": self.salesman.id,
                "customer_notice_escalated_on": NOW,
            },
            {},
        )
        created |= self._created_ids(
            self.salesman,
            "sale.policy.exception",
            vals,
            {"default_customer_notified_on": NOW, "default_customer_notified_by_id": 1},
        )
        for exception in created:
            self.assertFalse(exception.customer_notified_on)
            self.assertFalse(exception.customer_notified_by_id)
            self.assertFalse(exception.customer_notice_escalated_on)

    def test_refused_salesperson_writes_exception_customer_notice(self):
        order = self._confirmed_order()
        exception = self.env["sale.policy.exception"]._policy_raise(order, "late_delivery", "late")
        self.assertRefused(
            self.salesman,
            "sale.policy.exception",
            "write",
            exception.ids,
            {"customer_notified_on": NOW},
        )
        self.assertFalse(exception.customer_notified_on)

    def test_hole_salesperson_forges_shipping_notice_sent(self):
        """Stamping `policy_shipping_notified_on` on a delivery suppressed the shipping
        notice to the customer (and showed it as sent)."""
        order = self._confirmed_order()
        picking = order.picking_ids
        self._jsonrpc(
            self.salesman,
            "stock.picking",
            "write",
            picking.ids,
            {"policy_shipping_notified_on": NOW},
        )
        self.assertFalse(picking.policy_shipping_notified_on)

    def test_refused_return_visit_on_another_salespersons_order_or_as_portal(self):
        order = self._make_order(user=self.salesman_other)
        order.with_user(self.salesman_other).action_submit_for_review()
        for reviewer in (self.sales_head, self.finance):
            self._pending_review(order).with_user(reviewer).action_approve("ok")
        order.with_user(self.salesman_other).action_confirm()
        self.assertEqual(order.state, "sale")
        vals = {"order_id": order.id, "channel": "phone", "rating": "1", "feedback": "bad"}
        ok, wizard_id = self._jsonrpc(self.salesman, "sale.policy.return.visit", "create", vals)
        if ok:
            self.assertRefused(self.salesman, VISIT, "action_record", [wizard_id])
        self.assertRefused(self.portal_a, "sale.policy.return.visit", "create", vals)
        self.assertFalse(
            self.env["rating.rating"].search(
                [
                    ("res_model", "=", "sale.order"),
                    ("res_id", "=", order.id),
                    ("consumed", "=", True),
                ]
            )
        )

    # -- 8. review deadlines ----------------------------------------------

    def test_refused_review_deadline_fields_are_engine_only(self):
        order = self._submitted()
        review = self._pending_review(order)
        past = fields.Datetime.to_string(fields.Datetime.now())
        for user in (self.salesman, self.sales_head, self.policy_admin):
            for vals in ({"round_deadline": "2099-01-01 00:00:00"}, {"round_breached_on": past}):
                self.assertRefused(user, "sale.policy.review", "write", review.ids, vals)
        self.assertRefused(
            self.salesman,
            "sale.policy.review",
            "copy",
            review.ids,
            default={"round_deadline": "2099-01-01 00:00:00"},
        )
        self.assertFalse(review.round_breached_on)
