from odoo import api, fields, models
from odoo.osv import expression


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _eval_context(self):
        """`policy_reader_domain(prefix, field)`: the records whose `field` (readers of an
        order by default) holds the user, or a reviewer who delegated to the user today
        in the record's own company."""
        context = super()._eval_context()
        delegators = self.env["sale.policy.delegation"]._policy_delegators_today(self.env.uid)
        uid = self.env.uid

        def policy_reader_domain(prefix="", field="policy_reader_user_ids"):
            return expression.OR(
                [[(f"{prefix}{field}", "in", [uid])]]
                + [
                    [(f"{prefix}company_id", "=", company_id), (f"{prefix}{field}", "in", users)]
                    for company_id, users in delegators.items()
                ]
            )

        context["policy_reader_domain"] = policy_reader_domain
        # Kept for rules an administrator wrote with it (no per-company precision).
        context["policy_principal_ids"] = [uid] + sorted(
            {user for users in delegators.values() for user in users}
        )
        return context

    def _compute_domain_context_values(self):
        # Delegations hold for a date range: the cached rule domains last one day.
        return (*super()._compute_domain_context_values(), fields.Date.context_today(self))
