from odoo import api, fields, models
from odoo.exceptions import ValidationError

CHANGE_REQUEST_SUBJECTS = [("change", "Change Request"), ("cancel", "Cancellation")]


class SalePolicyRule(models.Model):
    """Rules of change and cancellation requests: route increases and price cuts
    differently."""

    _inherit = "sale.policy.rule"

    applies_to = fields.Selection(
        selection_add=CHANGE_REQUEST_SUBJECTS,
        ondelete={
            key: lambda rules: rules._policy_retire_subject()
            for key, _label in CHANGE_REQUEST_SUBJECTS
        },
    )
    change_condition = fields.Selection(
        [
            ("any", "Any change"),
            ("increase", "Amount increase above"),
            ("price_cut", "Any price cut"),
        ],
        required=True,
        default="any",
        help="For change requests only. Amount increase: the proposed untaxed amount exceeds "
        "the current one by more than the percentage. Price cut: a unit price is lowered or "
        "a discount raised on an existing line.",
    )
    change_increase_percent = fields.Float(
        string="Increase Above (%)",
        help="With “Amount increase above”: 0 means any increase.",
    )

    @api.constrains("change_increase_percent")
    def _check_change_increase_percent(self):
        if any(rule.change_increase_percent < 0 for rule in self):
            raise ValidationError(self.env._("The increase percentage cannot be negative."))

    def _applies(self, subject, amount_company, failing_type_ids):
        # A rule of change requests reviews `sale.policy.change` records only.
        if self.applies_to == "change" and not self._applies_to_change(subject):
            return False
        return super()._applies(subject, amount_company, failing_type_ids)

    def _applies_to_change(self, change):
        self.ensure_one()
        if self.change_condition == "increase":
            return change.amount_new > change.amount_old and (
                change.amount_increase_percent > self.change_increase_percent
            )
        if self.change_condition == "price_cut":
            return change.has_price_cut
        return True
