from odoo import fields, models
from odoo.exceptions import UserError


class SalePolicyTestSubject(models.Model):
    """A document without an order, approved through the review engine: the smallest
    subject of `sale.policy.reviewable.mixin` (what a future subject declares)."""

    _name = "sale.policy.test.subject"
    _inherit = ["mail.thread", "mail.activity.mixin", "sale.policy.reviewable.mixin"]
    _description = "Sales Policy Test Subject"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("pending", "Under Review"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        required=True,
        default="draft",
        readonly=True,
    )
    review_round = fields.Integer(readonly=True)
    requested_by_id = fields.Many2one("res.users", readonly=True)

    def _policy_applies_to(self):
        return "test_subject"

    def _policy_parties(self):
        return super()._policy_parties() | self.requested_by_id

    def _policy_is_under_review(self):
        return self.state == "pending"

    def _policy_prepare_submission(self, review_round):
        if self.state not in ("draft", "rejected"):
            raise UserError(self.env._("%(name)s is already submitted.", name=self.name))
        return super()._policy_prepare_submission(review_round)

    def _policy_submission_values(self, review_round):
        return {
            **super()._policy_submission_values(review_round),
            "state": "pending",
            "requested_by_id": self.env.uid,
        }

    def _policy_on_approved(self, reason=None):
        self.write({"state": "approved"})

    def _policy_on_rejected(self, review):
        self.write({"state": "rejected"})

    def action_submit(self):
        for subject in self:
            subject._policy_submit()
        return True
