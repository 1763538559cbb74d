from odoo import api, fields, models

from .sale_policy_protected_mixin import policy_privileged

# The engine's own events; each feature adds its events with `selection_add`.
LOG_EVENTS = [
    ("submit", "Submitted"),
    ("auto_approve", "Approved without Review"),
    ("partial_approve", "Approved (awaiting other reviewers)"),
    ("approve", "Approved"),
    ("reject", "Rejected"),
    ("reset", "Reset to Draft"),
    ("delegate", "Delegated"),
    ("reminder", "SLA Reminder"),
    ("escalate", "Escalated"),
    ("round_breach", "Review Deadline Missed"),
    ("portal", "Routed to Review from Portal"),
    ("confirm", "Confirmed"),
    ("system_change", "Changed by Odoo"),
    ("policy_on", "Policy Switched On"),
    ("policy_off", "Policy Switched Off"),
]


class SalePolicyLog(models.Model):
    """Append-only audit trail (审批记录): nobody writes or deletes a line, admin included."""

    _name = "sale.policy.log"
    _inherit = "sale.policy.protected.mixin"
    _description = "Sales Policy Log"
    _order = "date desc, id desc"
    _policy_append_only = True

    # Joined, not a subquery: the reader rule's `order_id.user_id` / readers test then runs
    # per line of the order being read instead of over all the user's orders (history).
    order_id = fields.Many2one("sale.order", ondelete="restrict", index=True, auto_join=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    review_id = fields.Many2one("sale.policy.review", ondelete="restrict", index=True)
    review_round = fields.Integer(string="Round")
    step = fields.Char()
    event = fields.Selection(LOG_EVENTS, required=True, index=True)
    user_id = fields.Many2one("res.users", string="User", required=True)
    on_behalf_of_id = fields.Many2one("res.users", string="On Behalf of")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    comment = fields.Text()
    amount_total = fields.Monetary(currency_field="currency_id", string="Amount at the Time")
    currency_id = fields.Many2one("res.currency")

    @api.model
    def _policy_add(self, order, event, comment=None, review=None, on_behalf_of=None, **extra):
        """Append one line; the only way a log line is ever written."""
        return self._policy_add_many(
            [
                {
                    "order": order,
                    "event": event,
                    "comment": comment,
                    "review": review,
                    "on_behalf_of": on_behalf_of,
                    **extra,
                }
            ]
        )

    @api.model
    def _policy_add_many(self, entries):
        """Append several lines in one insert (crons); each entry holds `_policy_add`'s
        arguments as a dict."""
        vals_list = [self._policy_log_vals(**entry) for entry in entries]
        with policy_privileged():
            return self.sudo().create(vals_list)

    @api.model
    def _policy_log_vals(self, order, event, comment=None, review=None, on_behalf_of=None, **extra):
        return {
            "order_id": order.id,
            "company_id": (order.company_id or self.env.company).id,
            "review_id": review.id if review else False,
            "review_round": review.review_round if review else order.policy_round,
            "step": review.name if review else False,
            "event": event,
            "user_id": self.env.uid,
            "on_behalf_of_id": on_behalf_of.id if on_behalf_of else False,
            "comment": comment or False,
            # The currency first: caching the amount then needs no query for it.
            "currency_id": order.currency_id.id,
            "amount_total": order.amount_total,
            **extra,
        }
