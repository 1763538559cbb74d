from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from .mail_composer_action import mail_composer_action
from .sale_policy_exception import OPEN_STATES
from .sale_policy_protected_mixin import (
    is_policy_privileged,
    policy_engine_defaults,
    policy_privileged,
)

DELAY_CODES = ("late_delivery", "stock_shortage")
DELAY_TEMPLATE = "sale_order_policy.mail_template_policy_delay_notice"
# Set by the Notify Customer action only.
NOTICE_ENGINE_FIELDS = frozenset(
    {"customer_notified_on", "customer_notified_by_id", "customer_notice_escalated_on"}
)
NOTICE_FIELDS = frozenset({"customer_delay_cause", "customer_solution", "customer_new_date"})


class SalePolicyException(models.Model):
    """Delay notice (延期通知): a late or short delivery is explained to the customer with
    its cause, a proposed solution and a new date (与客户沟通, 说明原因, 提出解决方案)."""

    _inherit = "sale.policy.exception"

    customer_notice_required = fields.Boolean(compute="_compute_customer_notice_required")
    customer_delay_cause = fields.Text(
        string="Cause Told to the Customer", help="Why the order is late, in the customer's terms."
    )
    customer_solution = fields.Text(
        string="Proposed Solution",
        help="Partial shipment, substitute product, new date... as offered to the customer.",
    )
    customer_new_date = fields.Date(string="New Delivery Date")
    customer_notified_on = fields.Datetime(
        string="Customer Notified on", readonly=True, copy=False, index="btree_not_null"
    )
    customer_notified_by_id = fields.Many2one(
        "res.users", string="Customer Notified by", readonly=True, copy=False
    )
    customer_notice_escalated_on = fields.Datetime(
        string="Delay Notice Escalated on", readonly=True, copy=False
    )
    customer_not_told = fields.Boolean(
        compute="_compute_customer_not_told",
        search="_search_customer_not_told",
        help="A late delivery or stock shortage the customer was not told about within the "
        "company's delay notice time.",
    )

    @api.depends("code")
    def _compute_customer_notice_required(self):
        for exc in self:
            exc.customer_notice_required = exc.code in DELAY_CODES

    @api.depends("code", "state", "customer_notified_on", "raised_on")
    def _compute_customer_not_told(self):
        late = self.filtered_domain(self._customer_not_told_domain())
        for exc in self:
            exc.customer_not_told = exc in late

    def _search_customer_not_told(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Customer Not Told."))
        domain = self._customer_not_told_domain()
        return domain if (operator == "=") == value else ["!", *domain]

    @api.model
    def _customer_not_told_domain(self):
        now = fields.Datetime.now()
        companies = self.env["res.company"].sudo().search([])
        by_company = expression.OR(
            [
                ("company_id", "=", company.id),
                ("raised_on", "<", now - timedelta(hours=company.sale_policy_delay_notice_hours)),
            ]
            for company in companies
        )
        return expression.normalize_domain(
            expression.AND(
                [
                    [
                        ("code", "in", DELAY_CODES),
                        ("state", "in", OPEN_STATES),
                        ("customer_notified_on", "=", False),
                    ],
                    by_company,
                ]
            )
        )

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        return policy_engine_defaults(self, defaults, NOTICE_ENGINE_FIELDS)

    @api.model_create_multi
    def create(self, vals_list):
        if not is_policy_privileged():
            # Raised by hand: the customer was not told yet (Notify Customer records it).
            vals_list = [
                {k: v for k, v in vals.items() if k not in NOTICE_ENGINE_FIELDS}
                for vals in vals_list
            ]
        return super().create(vals_list)

    def write(self, vals):
        if not is_policy_privileged():
            if NOTICE_ENGINE_FIELDS & set(vals):
                raise UserError(
                    self.env._("Whether the customer was told is recorded by Notify Customer.")
                )
            if NOTICE_FIELDS & set(vals) and any(e.state not in OPEN_STATES for e in self):
                raise UserError(
                    self.env._("A resolved or cancelled exception cannot be changed any more.")
                )
        return super().write(vals)

    def action_policy_notify_customer(self):
        """Open the composer prefilled with the delay notice (cause, solution, new date)."""
        self.ensure_one()
        self._policy_check_open()
        self._policy_check_can_handle()
        if not self.customer_notice_required:
            raise UserError(
                self.env._(
                    "Only late deliveries and stock shortages are notified to the customer "
                    "from the exception."
                )
            )
        if (
            not (self.customer_delay_cause or "").strip()
            or not (self.customer_solution or "").strip()
        ):
            raise UserError(
                self.env._(
                    "Write the cause and the proposed solution of %(exception)s before "
                    "notifying the customer.",
                    exception=self.name,
                )
            )
        return mail_composer_action(
            self,
            self.env.ref(DELAY_TEMPLATE),
            self.env._("Notify Customer"),
            policy_delay_notice=True,
        )

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        if self.env.context.get("policy_delay_notice") and self.partner_id & message.partner_ids:
            self._policy_record_customer_notified()
        return message

    def _policy_record_customer_notified(self):
        """Record that and when the customer was told, in the register and the order log."""
        with policy_privileged():
            self.sudo().write(
                {
                    "customer_notified_on": fields.Datetime.now(),
                    "customer_notified_by_id": self.env.uid,
                }
            )
        Log = self.env["sale.policy.log"]
        for exc in self:
            comment = self.env._(
                "Customer told of the delay (%(exception)s): %(solution)s",
                exception=exc.name,
                solution=exc.customer_solution or "",
            )
            Log._policy_add(exc.order_id, "exception", comment=comment)
            exc.order_id.sudo().message_post(body=comment, subtype_xmlid="mail.mt_note")

    @api.model
    def _policy_escalate(self):
        """Overdue exceptions, and delays the customer was not told about in time."""
        escalated = super()._policy_escalate()
        untold = self.sudo().search(
            [("customer_not_told", "=", True), ("customer_notice_escalated_on", "=", False)]
        )
        untold._policy_escalate_untold()
        return escalated | untold

    def _policy_escalate_untold(self):
        if not self:
            return
        with policy_privileged():
            self.write({"customer_notice_escalated_on": fields.Datetime.now()})
        activity_type = self.env.ref(
            "sale_order_policy.mail_activity_type_policy_exception_escalated"
        )
        Log = self.env["sale.policy.log"]
        for exc in self:
            comment = self.env._(
                "The customer of %(exception)s was not told of the delay within %(hours)s "
                "hours; escalated to the team leader.",
                exception=exc.name,
                hours=exc.company_id.sale_policy_delay_notice_hours,
            )
            Log._policy_add(exc.order_id, "escalate", comment=comment)
            exc.message_post(body=comment, subtype_xmlid="mail.mt_note")
            leader = exc.team_id.user_id
            if leader:
                exc.activity_schedule(
                    activity_type_id=activity_type.id,
                    user_id=leader.id,
                    summary=self.env._("Tell the customer: %(type)s", type=exc.type_id.name),
                    note=comment,
                )
