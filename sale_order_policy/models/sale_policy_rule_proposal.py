import json

from odoo import api, fields, models
from odoo.exceptions import UserError

from .sale_policy_protected_mixin import is_policy_privileged, policy_privileged

PROPOSAL_STATES = [
    ("pending", "Awaiting Approval"),
    ("applied", "Applied"),
    ("rejected", "Rejected"),
]


class SalePolicyRuleProposal(models.Model):
    """A change to the rulebook awaiting the general manager (制度变更须经审批后生效): the
    company switch `sale_policy_rule_approval` turns every edit of an approval rule, and
    every preset application, into a proposal that takes effect once approved."""

    _name = "sale.policy.rule.proposal"
    _inherit = ["mail.thread", "sale.policy.reviewable.mixin"]
    _description = "Approval Rule Change Proposal"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    rule_id = fields.Many2one(
        "sale.policy.rule", readonly=True, index=True, context={"active_test": False}
    )
    preset = fields.Char(readonly=True, help="The chain preset to apply, for a preset proposal.")
    values = fields.Json(readonly=True)
    summary = fields.Text(string="Changes", readonly=True)
    state = fields.Selection(
        PROPOSAL_STATES, default="pending", required=True, readonly=True, index=True
    )
    review_round = fields.Integer(readonly=True)
    requested_by_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    can_decide = fields.Boolean(compute="_compute_can_decide")

    @api.depends("rule_id", "preset")
    def _compute_name(self):
        for proposal in self:
            proposal.name = proposal.env._(
                "Change to %(what)s", what=proposal.rule_id.display_name or proposal.preset or "-"
            )

    def _compute_can_decide(self):
        for proposal in self:
            proposal.can_decide = bool(proposal.id and proposal._policy_my_pending_reviews())

    @api.model_create_multi
    def create(self, vals_list):
        if not is_policy_privileged():
            raise UserError(self.env._("Rule change proposals are made by editing the rules."))
        return super().create(vals_list)

    def write(self, vals):
        if not is_policy_privileged() and set(vals) - {"message_main_attachment_id"}:
            raise UserError(self.env._("A rule change proposal cannot be edited."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Rule change proposals are kept."))

    # Review engine -------------------------------------------------------

    def _policy_applies_to(self):
        return "rule_change"

    def _policy_parties(self):
        return super()._policy_parties() | self.requested_by_id

    def _policy_is_under_review(self):
        return self.state == "pending"

    def _policy_on_approved(self, reason=None):
        with policy_privileged():
            if self.preset:
                self.company_id._sale_policy_apply_chain_preset(self.preset)
            else:
                self.rule_id.with_context(sale_policy_rule_proposal=self.id).write(
                    self._policy_rule_values()
                )
            self.write({"state": "applied"})

    def _policy_on_rejected(self, review):
        with policy_privileged():
            self.write({"state": "rejected"})

    def _policy_rule_values(self):
        """The proposed values, as `write` takes them."""
        rule_fields = self.env["sale.policy.rule"]._fields
        return {
            name: self._policy_rule_values_one(rule_fields[name], value)
            for name, value in (self.values or {}).items()
        }

    @api.model
    def _policy_propose(self, rule=None, values=None, preset=None, company=None):
        """Record and submit a proposal; returns it."""
        company = company or rule.company_id
        with policy_privileged():
            proposal = self.sudo().create(
                {
                    "company_id": company.id,
                    "rule_id": rule and rule.id,
                    "preset": preset,
                    "values": values and json.loads(json.dumps(values, default=str)),
                    "summary": self._policy_summary(rule, values, preset),
                    "requested_by_id": self.env.uid,
                }
            )
        proposal._policy_submit()
        return proposal

    @api.model
    def _policy_summary(self, rule, values, preset):
        if preset:
            return self.env._("Apply the chain preset “%(preset)s”.", preset=preset)
        lines = []
        for name, value in values.items():
            field = rule._fields[name]
            new = rule.new({name: self._policy_rule_values_one(field, value)})
            lines.append(
                f"{field._description_string(self.env)}: "
                f"{rule._policy_config_display(name)} → {new._policy_config_display(name)}"
            )
        return "\n".join(lines)

    @api.model
    def _policy_rule_values_one(self, field, value):
        return [fields.Command.set(value)] if field.type == "many2many" else value
