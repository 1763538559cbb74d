from odoo import fields, models
from odoo.exceptions import UserError

from ..models.rating_rating import RETURN_VISIT_CHANNELS

RETURN_VISIT_ACTIVITY = "sale_order_policy.mail_activity_type_policy_return_visit"


class SalePolicyReturnVisit(models.TransientModel):
    """Record a return visit (回访) made by phone, WeChat or on site: the customer's rating
    counts in satisfaction exactly like one given by e-mail."""

    _name = "sale.policy.return.visit"
    _description = "Record a Return Visit"

    order_id = fields.Many2one("sale.order", string="Order", required=True, readonly=True)
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    channel = fields.Selection(RETURN_VISIT_CHANNELS, required=True, default="phone")
    rating = fields.Selection(
        [("5", "Satisfied"), ("3", "Okay"), ("1", "Dissatisfied")],
        string="Satisfaction",
        required=True,
    )
    feedback = fields.Text(string="Customer's Comment")

    def action_record(self):
        self.ensure_one()
        order = self.order_id
        order.check_access("write")
        if order.state != "sale":
            raise UserError(
                self.env._(
                    "Return visits are recorded on confirmed orders; %(order)s is not confirmed.",
                    order=order.name,
                )
            )
        # The visit is done: close its to-do before a low rating plans an urgent one.
        order.sudo().activity_ids.filtered(
            lambda act: act.activity_type_id == self.env.ref(RETURN_VISIT_ACTIVITY)
        ).action_feedback(feedback=self._policy_visit_summary())
        rating = self._policy_rating_record()
        rating.policy_channel = self.channel
        order.sudo().rating_apply(float(self.rating), rating=rating, feedback=self.feedback)
        return {"type": "ir.actions.act_window_close"}

    def _policy_rating_record(self):
        """The customer's pending e-mailed rating (answered now by phone) or a new one,
        created by Odoo's own rating code with the same partner and rated salesperson."""
        order = self.order_id.sudo()
        token = order._rating_get_access_token()
        return self.env["rating.rating"].sudo().search([("access_token", "=", token)], limit=1)

    def _policy_visit_summary(self):
        channel = dict(self._fields["channel"]._description_selection(self.env))[self.channel]
        rating = dict(self._fields["rating"]._description_selection(self.env))[self.rating]
        return self.env._(
            "Return visit by %(channel)s: %(rating)s. %(feedback)s",
            channel=channel,
            rating=rating,
            feedback=self.feedback or "",
        )
