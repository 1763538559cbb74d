from odoo import api, models
from odoo.exceptions import UserError

from .sale_policy_protected_mixin import is_policy_privileged


class SalePolicyRule(models.Model):
    """With `sale_policy_rule_approval` on, a rule changes only after the general manager
    approved the change: an edit becomes a proposal (`sale.policy.rule.proposal`)."""

    _inherit = "sale.policy.rule"

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        guarded = rules.filtered(lambda rule: rule._policy_change_needs_approval())
        if guarded:
            # A new rule waits, archived, until its activation is approved.
            super(SalePolicyRule, guarded).write({"active": False})
            for rule in guarded:
                self.env["sale.policy.rule.proposal"]._policy_propose(rule, {"active": True})
            guarded._policy_notify_proposed()
        return rules

    def write(self, vals):
        guarded = self.filtered(lambda rule: rule._policy_change_needs_approval())
        tracked = set(vals) & set(self._policy_config_fields()) - {"preset_signature"}
        if not guarded or not tracked:
            return super().write(vals)
        super(SalePolicyRule, self - guarded).write(vals)
        for rule in guarded:
            changes = rule._policy_trial_write(vals)
            if changes:
                self.env["sale.policy.rule.proposal"]._policy_propose(rule, changes)
        guarded._policy_notify_proposed()
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_except_approval_required(self):
        if any(rule._policy_change_needs_approval() for rule in self):
            raise UserError(
                self.env._(
                    "Rule changes need the general manager's approval in this company: "
                    "archive the rule instead, which is proposed for approval."
                )
            )

    def _policy_change_needs_approval(self):
        self.ensure_one()
        return (
            not is_policy_privileged()
            and self.company_id.sale_policy_rule_approval
            # Data files at module install/update (not a ready registry's RPC context).
            and not (self.env.context.get("install_mode") and not self.env.registry.ready)
        )

    def _policy_trial_write(self, vals):
        """The fields `vals` would really change, with their new plain values: the write
        runs (constraints included) in a savepoint that is then rolled back."""
        self.ensure_one()
        names = [name for name in vals if name in self._fields]
        before = {name: self._policy_plain(name) for name in names}
        with self.env.cr.savepoint() as savepoint:
            super().write(vals)
            after = {name: self._policy_plain(name) for name in names}
            savepoint.rollback()
        self.env.invalidate_all()
        return {name: value for name, value in after.items() if value != before[name]}

    def _policy_plain(self, name):
        value = self[name]
        field = self._fields[name]
        if field.type == "many2one":
            return value.id
        if field.type == "many2many":
            return sorted(value.ids)
        return value

    def _policy_notify_proposed(self):
        self.env.user._bus_send(
            "simple_notification",
            {
                "type": "warning",
                "sticky": True,
                "title": self.env._("Awaiting the general manager's approval"),
                "message": self.env._(
                    "Your change to %(rules)s takes effect once the general manager approves "
                    "it (Configuration ‣ Rule Change Proposals).",
                    rules=", ".join(self.mapped("display_name")),
                ),
            },
        )
