from odoo import fields, models

from .sale_policy_rule_change_request import CHANGE_REQUEST_SUBJECTS


class SalePolicyReview(models.Model):
    """Reviews of change and cancellation requests."""

    _inherit = "sale.policy.review"

    applies_to = fields.Selection(
        selection_add=CHANGE_REQUEST_SUBJECTS,
        # Informative only (the engine dispatches through the subject): past reviews stay.
        ondelete={key: "set default" for key, _label in CHANGE_REQUEST_SUBJECTS},
    )
    # The subject when it is a request, as a relation (lists, record rules, reports); set
    # by the request's `_policy_review_values()`.
    change_id = fields.Many2one(
        "sale.policy.change",
        string="Change Request",
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    change_type = fields.Selection(related="change_id.change_type")

    def action_open_change(self):
        self.ensure_one()
        return self.action_open_subject()
