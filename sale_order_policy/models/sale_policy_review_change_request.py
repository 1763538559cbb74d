from odoo import api, fields, models

from .sale_policy_rule_change_request import CHANGE_REQUEST_SUBJECTS


class SalePolicyReview(models.Model):
    """Reviews of change and cancellation requests."""

    _inherit = "sale.policy.review"

    applies_to = fields.Selection(
        selection_add=CHANGE_REQUEST_SUBJECTS,
        ondelete={key: "cascade" for key, _label in CHANGE_REQUEST_SUBJECTS},
    )
    # A shortcut to the subject when it is a request (lists, record rules, reports).
    change_id = fields.Many2one(
        "sale.policy.change",
        string="Change Request",
        compute="_compute_change_id",
        store=True,
        precompute=True,
        index=True,
        check_company=True,
    )
    change_type = fields.Selection(related="change_id.change_type")

    @api.depends("res_model", "res_id")
    def _compute_change_id(self):
        for review in self:
            review.change_id = review.res_model == "sale.policy.change" and review.res_id

    def action_open_change(self):
        self.ensure_one()
        return self.action_open_subject()
