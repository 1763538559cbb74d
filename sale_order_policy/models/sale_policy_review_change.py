from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class SalePolicyReview(models.Model):
    """Reviews of change and cancellation requests."""

    _inherit = "sale.policy.review"

    change_id = fields.Many2one(
        "sale.policy.change",
        string="Change Request",
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    change_type = fields.Selection(related="change_id.change_type")

    def _compute_display_name(self):
        with_change = self.filtered("change_id")
        for review in with_change:
            review.display_name = f"{review.change_id.name} / {review.name}"
        return super(SalePolicyReview, self - with_change)._compute_display_name()

    def _round_domain(self):
        return [*super()._round_domain(), ("change_id", "=", self.change_id.id)]

    def _get_decider_for(self, user, raise_if_not=True):
        change = self.change_id
        if change and user == change.requested_by_id:
            if raise_if_not:
                raise AccessError(
                    self.env._(
                        "You cannot approve or reject %(name)s: you requested it.",
                        name=change.name,
                    )
                )
            return False
        return super()._get_decider_for(user, raise_if_not=raise_if_not)

    def _check_subject_under_review(self):
        change = self.change_id
        if change and self.applies_to in ("change", "cancel"):
            if change.state != "pending":
                raise UserError(
                    self.env._(
                        "%(name)s is no longer under review: its steps cannot be decided.",
                        name=change.name,
                    )
                )
            return
        super()._check_subject_under_review()

    def _on_round_approved(self):
        if self.change_id and self.applies_to in ("change", "cancel"):
            self.change_id.sudo()._policy_on_approved()
            return
        super()._on_round_approved()

    def _on_round_rejected(self):
        if self.change_id and self.applies_to in ("change", "cancel"):
            self.change_id.sudo()._policy_on_rejected(self)
            return
        super()._on_round_rejected()

    def action_open_change(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.policy.change",
            "res_id": self.change_id.id,
            "view_mode": "form",
        }
