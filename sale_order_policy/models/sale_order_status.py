from odoo import api, fields, models

from .sale_order import APPROVAL_STATES


class SaleOrder(models.Model):
    """How the order shows its place in the policy."""

    _inherit = "sale.order"

    policy_status = fields.Selection(
        [*APPROVAL_STATES, ("before_policy", "Before the Policy")],
        string="Approval Status",
        compute="_compute_policy_status",
        help="The approval state; “Before the Policy” for an order confirmed before the "
        "policy was switched on, which was never submitted (changes to it still need a "
        "change request).",
    )
    policy_require_commitment_date = fields.Boolean(
        related="company_id.sale_policy_require_commitment_date"
    )

    @api.depends(
        "state",
        "approval_state",
        "policy_submitted_on",
        "date_order",
        "company_id.sale_policy_enabled",
        "company_id.sale_policy_enabled_since",
    )
    def _compute_policy_status(self):
        for order in self:
            order.policy_status = (
                "before_policy" if order._policy_before_policy() else order.approval_state
            )

    def _policy_before_policy(self):
        """Confirmed without ever being submitted, before the policy was switched on (its
        confirmation date is earlier): derived from time, not from the missing approval.
        An order confirmed later without approval shows “Not Submitted”."""
        self.ensure_one()
        if not (
            self.state == "sale"
            and self.approval_state == "draft"
            and not self.sudo().policy_submitted_on
        ):
            return False
        company = self.company_id.sudo()
        since = company.sale_policy_enabled_since
        if not company.sale_policy_enabled or not since:
            # Policy off (or switched on before its moment was recorded).
            return True
        # Datetimes keep whole seconds: a switch-on in the second of the confirmation
        # still counts as after it.
        return bool(self.date_order) and self.date_order <= since
