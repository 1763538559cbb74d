from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount


class SalePolicyDecision(models.TransientModel):
    """The decision dialog: one opinion (审批意见) for one or several reviews."""

    _name = "sale.policy.decision"
    _description = "Sales Policy Review Decision"

    review_ids = fields.Many2many("sale.policy.review", string="Reviews", required=True)
    decision = fields.Selection(
        [("approve", "Approve"), ("reject", "Reject")], required=True, default="approve"
    )
    comment = fields.Text(string="Opinion")
    opinion_required = fields.Boolean(compute="_compute_opinion_required")
    summary = fields.Html(compute="_compute_summary", sanitize=False)

    @api.depends("decision", "review_ids")
    def _compute_opinion_required(self):
        for wizard in self:
            wizard.opinion_required = wizard.decision == "reject" or any(
                wizard.review_ids.sudo().rule_id.mapped("opinion_required")
            )

    @api.depends("review_ids")
    def _compute_summary(self):
        for wizard in self:
            # Only what the user decides: ids sent by a client never reveal other orders.
            wizard.summary = Markup("").join(
                wizard._summary_of(review) for review in wizard._decidable_reviews()
            )

    def _decidable_reviews(self):
        """The reviews of the dialog the current user may decide now (as superuser)."""
        return self.review_ids._origin.sudo().filtered(
            lambda r: r.state == "pending" and r._get_decider_for(self.env.user, raise_if_not=False)
        )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        for wizard in wizards:
            others = wizard.review_ids._origin.sudo() - wizard._decidable_reviews()
            if others or not wizard.review_ids:
                raise UserError(
                    self.env._(
                        "You cannot decide %(steps)s now.",
                        steps=", ".join(others.mapped("display_name")) or "-",
                    )
                )
        return wizards

    def _summary_of(self, review):
        """The reviewed document, its customer, amount and check results, as a small table."""
        order = review.order_id
        currency = order.currency_id or review.currency_id
        amount = order.amount_total if order else review.amount_total
        results = dict(
            self.env["sale.policy.check"]._fields["result"]._description_selection(self.env)
        )
        head = Markup(
            "<div class='fw-bold'>%s · %s</div><div>%s · <span class='fw-bold'>%s</span></div>"
        ) % (
            review._policy_subject().display_name,
            review.name,
            order.partner_id.display_name or "",
            format_amount(self.env, amount, currency) if currency else "",
        )
        checks = Markup("").join(
            Markup("<tr><td>%s</td><td class='%s'>%s</td><td>%s</td></tr>")
            % (
                check.check_type_id.name,
                {"pass": "text-success", "warning": "text-warning", "block": "text-danger"}.get(
                    check.result, ""
                ),
                results.get(check.result, check.result),
                check.message or "",
            )
            for check in order.policy_check_ids
        )
        return head + Markup("<table class='table table-sm small mb-3'>%s</table>") % checks

    def action_decide(self):
        self.ensure_one()
        comment = (self.comment or "").strip()
        if self.opinion_required and not comment:
            raise UserError(
                self.env._("Write your opinion: it is required for this decision.")
                if self.decision == "approve"
                else self.env._("A reason is required to reject a review.")
            )
        reviews = self.review_ids
        if self.decision == "approve":
            reviews.action_approve(comment or None)
            message = self.env._(
                "Approved: %(steps)s.", steps=", ".join(reviews.mapped("display_name"))
            )
        else:
            reviews.action_reject(comment)
            message = self.env._(
                "Rejected: %(steps)s.", steps=", ".join(reviews.mapped("display_name"))
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if self.decision == "approve" else "warning",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
