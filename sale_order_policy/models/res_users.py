from odoo import fields, models

from .sale_policy_protected_mixin import policy_privileged


class ResUsers(models.Model):
    _inherit = "res.users"

    sale_policy_delegation_ids = fields.One2many(
        "sale.policy.delegation", "user_id", string="Review Delegations", prefetch=False
    )
    policy_rating_avg = fields.Float(
        string="Average Customer Satisfaction",
        compute="_compute_policy_rating",
        help="Average rating customers gave to the sales orders of this salesperson (1 to 5).",
    )
    policy_rating_count = fields.Integer(
        string="Customer Ratings", compute="_compute_policy_rating"
    )

    def _compute_policy_rating(self):
        stats = {
            partner: (avg, count)
            for partner, avg, count in self.env["rating.rating"]
            .sudo()
            ._read_group(
                [
                    ("res_model", "=", "sale.order"),
                    ("consumed", "=", True),
                    ("rating", ">=", 1),
                    ("rated_partner_id", "in", self.partner_id.ids),
                ],
                ["rated_partner_id"],
                ["rating:avg", "__count"],
            )
        }
        for user in self:
            user.policy_rating_avg, user.policy_rating_count = stats.get(user.partner_id, (0.0, 0))

    def action_archive(self):
        """Odoo deletes the activities of archived users, review activities included (only
        the engine may): the step stays open for its other reviewers, and the SLA
        escalation takes it over if nobody else decides."""
        self.check_access("write")
        activities = self.env["mail.activity"].sudo().search([("user_id", "in", self.ids)])
        with policy_privileged():
            activities._policy_review_activities().unlink()
        return super().action_archive()
