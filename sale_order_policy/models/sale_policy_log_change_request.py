from odoo import api, fields, models

CHANGE_REQUEST_EVENTS = [
    ("change_request", "Change Requested"),
    ("cancel_request", "Cancellation Requested"),
    ("apply", "Change Applied"),
    ("revision", "Revision Created"),
    ("change_withdraw", "Request Withdrawn"),
    ("cancel", "Cancelled"),
]


class SalePolicyLog(models.Model):
    """Log lines of change and cancellation requests point to their request."""

    _inherit = "sale.policy.log"

    event = fields.Selection(
        selection_add=CHANGE_REQUEST_EVENTS,
        ondelete={key: "cascade" for key, _label in CHANGE_REQUEST_EVENTS},
    )
    change_id = fields.Many2one(
        "sale.policy.change", string="Change Request", ondelete="restrict", index=True
    )

    @api.model
    def _policy_add(self, order, event, comment=None, review=None, on_behalf_of=None, **extra):
        if review and review.change_id and "change_id" not in extra:
            extra["change_id"] = review.change_id.id
        return super()._policy_add(
            order, event, comment=comment, review=review, on_behalf_of=on_behalf_of, **extra
        )
