from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SalePolicyCase


@tagged("post_install", "-at_install")
class TestRuleProposal(SalePolicyCase):
    """With rule-change approval on, a rule edit takes effect only after the general
    manager approves it, through the review engine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("sale_order_policy.rule_rule_change_general_manager").active = True
        cls.rule = cls._make_rule(
            "Finance", 20, amount_min=50_000.0, reviewer_user_ids=[Command.set(cls.finance.ids)]
        )
        cls.company.sale_policy_rule_approval = True

    def _proposals(self):
        return self.env["sale.policy.rule.proposal"].search([("rule_id", "=", self.rule.id)])

    def test_edit_waits_for_general_manager(self):
        self.rule.with_user(self.policy_admin).write({"amount_min": 10_000.0})
        self.assertEqual(self.rule.amount_min, 50_000.0, "not in effect before approval")
        proposal = self._proposals()
        self.assertEqual(proposal.state, "pending")
        self.assertIn("50000.0 → 10000.0", proposal.summary)
        review = proposal._policy_reviews()
        self.assertIn(self.gm, review.reviewer_user_ids)
        self.assertNotIn(self.policy_admin, review.reviewer_user_ids, "the proposer never decides")
        proposal.with_user(self.gm).action_approve("同意调整")
        self.assertEqual(proposal.state, "applied")
        self.assertEqual(self.rule.amount_min, 10_000.0)
        line = self.env["sale.policy.config.log"].search(
            [
                ("res_model", "=", "sale.policy.rule"),
                ("res_id", "=", self.rule.id),
                ("field_name", "=", "amount_min"),
            ]
        )
        self.assertEqual(
            (line.old_value, line.new_value, line.user_id), ("50000.0", "10000.0", self.gm)
        )

    def test_rejected_change_never_applies(self):
        self.rule.with_user(self.policy_admin).write(
            {"reviewer_user_ids": [Command.link(self.finance2.id)]}
        )
        proposal = self._proposals()
        proposal.with_user(self.gm).action_reject("不同意")
        self.assertEqual(proposal.state, "rejected")
        self.assertEqual(self.rule.reviewer_user_ids, self.finance)

    def test_invalid_change_refused_at_save(self):
        with self.assertRaises(ValidationError):
            self.rule.with_user(self.policy_admin).write({"amount_min": -5.0})
        self.assertFalse(self._proposals())

    def test_proposer_cannot_approve_own_change(self):
        admin_gm = self.policy_admin
        admin_gm.groups_id = [
            Command.link(self.env.ref("sale_order_policy.group_general_manager").id)
        ]
        self.rule.with_user(admin_gm).write({"amount_min": 1.0})
        with self.assertRaises(UserError):
            self._proposals().with_user(admin_gm).action_approve("self")

    def test_proposal_cannot_be_forged_or_deleted(self):
        self.rule.with_user(self.policy_admin).write({"amount_min": 1.0})
        proposal = self._proposals()
        with self.assertRaises(UserError):
            proposal.sudo().write({"state": "applied"})
        with self.assertRaises(UserError):
            proposal.sudo().unlink()
        with self.assertRaises(UserError):
            self.rule.unlink()
