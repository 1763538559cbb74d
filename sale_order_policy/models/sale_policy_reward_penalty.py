from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .sale_policy_protected_mixin import (
    is_policy_privileged,
    policy_engine_defaults,
    policy_privileged,
)

KINDS = [
    ("commendation", "Commendation"),
    ("reward", "Reward"),
    ("warning", "Warning"),
    ("fine", "Fine"),
]
STATES = [
    ("draft", "Draft"),
    ("pending", "Under Review"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
ENGINE_FIELDS = frozenset({"state", "review_round", "requested_by_id"})


class SalePolicyRewardPenalty(models.Model):
    """The reward and penalty register (奖惩记录): a commendation, reward, warning or fine
    for a salesperson, with its reason, approved by the general manager through the review
    engine before it counts. Once submitted it cannot be rewritten."""

    _name = "sale.policy.reward.penalty"
    _inherit = ["mail.thread", "mail.activity.mixin", "sale.policy.reviewable.mixin"]
    _description = "Reward or Penalty"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    employee_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        domain=[("share", "=", False)],
        tracking=True,
    )
    kind = fields.Selection(KINDS, required=True, default="commendation", tracking=True)
    amount = fields.Monetary(currency_field="company_currency_id", tracking=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    reason = fields.Text(required=True, tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    kpi_month = fields.Date(
        string="KPI Period",
        help="The assessment month this decision follows from (any day of the month).",
        tracking=True,
    )
    order_ids = fields.Many2many(
        "sale.order", string="Orders Involved", check_company=True, copy=False
    )
    state = fields.Selection(
        STATES, required=True, default="draft", readonly=True, index=True, tracking=True
    )
    review_round = fields.Integer(readonly=True, copy=False)
    requested_by_id = fields.Many2one("res.users", string="Requested by", readonly=True, copy=False)
    can_decide = fields.Boolean(compute="_compute_can_decide")

    _sql_constraints = [
        ("amount_not_negative", "CHECK (amount >= 0)", "The amount cannot be negative."),
    ]

    def _compute_can_decide(self):
        for record in self:
            record.can_decide = bool(record.id and record._policy_my_pending_reviews())

    @api.constrains("kind", "amount")
    def _check_amount(self):
        for record in self:
            if record.kind in ("reward", "fine") and record.amount <= 0:
                raise ValidationError(
                    self.env._(
                        "A reward or a fine needs an amount (%(name)s).", name=record.display_name
                    )
                )

    @api.model
    def default_get(self, fields_list):
        return policy_engine_defaults(self, super().default_get(fields_list), ENGINE_FIELDS)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._policy_refuse_engine_values(vals)
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("sale.policy.reward.penalty") or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        if not is_policy_privileged():
            self._policy_refuse_engine_values(vals)
            business = [
                name
                for name in vals
                if self._fields[name].store and not name.startswith(("message_", "activity_"))
            ]
            locked = self.filtered(lambda r: r.state not in ("draft", "rejected"))
            if business and locked:
                raise UserError(
                    self.env._(
                        "%(name)s is submitted: it can no longer be changed. Cancel it or "
                        "record a new one.",
                        name=locked[0].display_name,
                    )
                )
        return super().write(vals)

    def _policy_refuse_engine_values(self, vals):
        engine = ENGINE_FIELDS & set(vals)
        if engine and not is_policy_privileged():
            raise UserError(
                self.env._(
                    "%(fields)s change only through submission and review.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env) for name in sorted(engine)
                    ),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(
            record.state not in ("draft", "cancelled") or record.review_round for record in self
        ):
            raise UserError(self.env._("A submitted reward or penalty is kept; cancel it instead."))

    @api.model
    def _policy_period_domain(self, users, date_from, date_to):
        """Approved records of `users` for the period: by KPI period when stated, else by
        date (the assessment PDF and workbook list them)."""
        return [
            ("state", "=", "approved"),
            ("employee_id", "in", users.ids),
            "|",
            "&",
            ("kpi_month", ">=", date_from),
            ("kpi_month", "<=", date_to),
            "&",
            ("kpi_month", "=", False),
            "&",
            ("date", ">=", date_from),
            ("date", "<=", date_to),
        ]

    # Review engine -------------------------------------------------------

    def _policy_applies_to(self):
        return "reward_penalty"

    def _policy_parties(self):
        return super()._policy_parties() | self.requested_by_id | self.employee_id

    def _policy_amount_company(self):
        return self.amount

    def _policy_is_under_review(self):
        return self.state == "pending"

    def _policy_prepare_submission(self, review_round):
        if self.state not in ("draft", "rejected"):
            raise UserError(self.env._("%(name)s is already submitted.", name=self.display_name))
        return super()._policy_prepare_submission(review_round)

    def _policy_submission_values(self, review_round):
        return {
            **super()._policy_submission_values(review_round),
            "state": "pending",
            "requested_by_id": self.env.uid,
        }

    def _policy_on_approved(self, reason=None):
        with policy_privileged():
            self.sudo().write({"state": "approved"})

    def _policy_on_rejected(self, review):
        with policy_privileged():
            self.sudo().write({"state": "rejected"})

    # Buttons -------------------------------------------------------------

    def action_submit(self):
        for record in self:
            record._policy_submit()
        return True

    def action_cancel(self):
        if any(record.state not in ("draft", "rejected") for record in self):
            raise UserError(self.env._("Only a draft or rejected record can be cancelled."))
        with policy_privileged():
            self.write({"state": "cancelled"})
        return True
