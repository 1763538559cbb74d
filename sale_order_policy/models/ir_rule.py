from odoo import api, fields, models


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _eval_context(self):
        """`policy_principal_ids`: the user and the reviewers who delegated to them, for the
        rules that let reviewers read the orders they review."""
        context = super()._eval_context()
        context["policy_principal_ids"] = self.env["sale.policy.delegation"]._policy_principal_ids(
            self.env.uid
        )
        return context

    def _compute_domain_context_values(self):
        # Delegations hold for a date range: the cached rule domains last one day.
        return (*super()._compute_domain_context_values(), fields.Date.context_today(self))
