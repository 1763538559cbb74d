from odoo import api, fields, models

REJECTED_ACTIVITY = "sale_order_policy.mail_activity_type_policy_rejected"


class SaleOrder(models.Model):
    """The rejection as the salesperson sees it: a banner with the last rejecting review,
    and the "correct and resubmit" activity closed by the resubmission."""

    _inherit = "sale.order"

    policy_rejection_step = fields.Char(
        string="Rejected at Step", compute="_compute_policy_rejection"
    )
    policy_rejection_user_id = fields.Many2one(
        "res.users", string="Rejected by", compute="_compute_policy_rejection"
    )
    policy_rejection_date = fields.Datetime(
        string="Rejected on", compute="_compute_policy_rejection"
    )
    policy_rejection_reason = fields.Text(
        string="Rejection Reason", compute="_compute_policy_rejection"
    )

    @api.depends(
        "approval_state",
        "policy_review_ids.state",
        "policy_review_ids.comment",
        "policy_review_ids.decided_on",
    )
    def _compute_policy_rejection(self):
        for order in self:
            review = order._policy_last_rejection()
            order.policy_rejection_step = review.name
            order.policy_rejection_user_id = review.decided_by_id
            order.policy_rejection_date = review.decided_on
            order.policy_rejection_reason = review.comment

    def _policy_last_rejection(self):
        """The order review that rejected the current round (none unless rejected)."""
        self.ensure_one()
        reviews = self.env["sale.policy.review"]
        if self.approval_state != "rejected" or not self.id:
            return reviews
        # The reviews of the orders one can read: the reviewer may not read the step itself.
        rejected = self.sudo()._policy_reviews().filtered(lambda r: r.state == "rejected")
        return rejected.sorted(
            lambda r: (r.review_round, r.decided_on or fields.Datetime.now(), r.id), reverse=True
        )[:1]

    def _policy_submit(self):
        result = super()._policy_submit()
        if self.approval_state in ("pending", "approved"):
            self._policy_close_rejection_activities()
        return result

    def _policy_close_rejection_activities(self):
        """Mark the "correct and resubmit" activities of the order done."""
        activity_type = self.env.ref(REJECTED_ACTIVITY, raise_if_not_found=False)
        activities = self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        if activities:
            activities.action_feedback(
                feedback=self.env._(
                    "Resubmitted for review (round %(round)s).", round=self.sudo().policy_round
                )
            )
