from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    sale_policy_enabled = fields.Boolean(
        string="Enforce Sales Order Policy",
        help="Orders of this company must pass the policy checks and the approval chain "
        "before they can be confirmed.",
    )
    sale_policy_sla_hours = fields.Float(string="Review SLA (hours)", default=24.0)
    sale_policy_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Review Working Calendar",
        help="When set, review deadlines count working hours of this calendar and skip "
        "its public holidays. Empty: hours count on the clock.",
    )
    sale_policy_reminder_percent = fields.Float(
        string="Reminder at (% of SLA)",
        default=75.0,
    )
    sale_policy_overdue_days = fields.Integer(
        string="Overdue Grace Days",
        default=30,
        help="Receivables overdue by more than this number of days make the credit check warn.",
    )
    sale_policy_overdue_block = fields.Boolean(
        string="Block on Overdue Receivables",
        help="Overdue receivables beyond the grace days block the order instead of warning.",
    )
    sale_policy_max_discount = fields.Float(
        string="Max. Discount from Pricelist (%)",
        default=10.0,
    )
    sale_policy_min_margin = fields.Float(
        string="Min. Margin (%)",
        default=0.0,
        help="Lines whose margin on cost is below this percentage get a price warning. "
        "Selling below cost always blocks.",
    )
    sale_policy_payment_term_ids = fields.Many2many(
        "account.payment.term",
        "res_company_sale_policy_payment_term_rel",
        "company_id",
        "payment_term_id",
        string="Allowed Payment Terms",
        help="Payment terms accepted without review besides the customer's own terms.",
    )
    sale_policy_block_unapproved_email = fields.Boolean(
        string="Block Sending Unapproved Quotations",
    )
    # Settlement, receivables aging (账龄) and bad-debt provision (坏账准备), after-sales (售后).
    sale_policy_settle_days = fields.Integer(
        string="Invoice Delivered Orders within (days)",
        default=3,
        help="Fully delivered orders not invoiced after this many days appear in the "
        "finance list of orders to settle.",
    )
    sale_policy_aging_limit_1 = fields.Integer(string="Aging Period 1 up to (days)", default=30)
    sale_policy_aging_limit_2 = fields.Integer(string="Aging Period 2 up to (days)", default=60)
    sale_policy_aging_limit_3 = fields.Integer(string="Aging Period 3 up to (days)", default=90)
    sale_policy_aging_limit_4 = fields.Integer(string="Aging Period 4 up to (days)", default=180)
    sale_policy_provision_current = fields.Float(string="Provision Not Due (%)", default=0.0)
    sale_policy_provision_1 = fields.Float(string="Provision Period 1 (%)", default=1.0)
    sale_policy_provision_2 = fields.Float(string="Provision Period 2 (%)", default=5.0)
    sale_policy_provision_3 = fields.Float(string="Provision Period 3 (%)", default=10.0)
    sale_policy_provision_4 = fields.Float(string="Provision Period 4 (%)", default=30.0)
    sale_policy_provision_5 = fields.Float(string="Provision Older (%)", default=50.0)
    sale_policy_rating_days = fields.Integer(
        string="Satisfaction Request after Delivery (days)",
        default=7,
        help="Days after full delivery when the customer is asked to rate the order. "
        "0 disables the request.",
    )
    sale_policy_rating_low = fields.Float(
        string="Low Rating at or below",
        default=1.0,
        help="A customer rating at or below this value (1 dissatisfied, 3 okay, 5 "
        "satisfied) opens a quality exception on the order.",
    )

    # Order tracking and exceptions (订单跟踪 / 异常订单, issue 6)
    sale_policy_at_risk_days = fields.Integer(
        string="At-Risk Days",
        default=3,
        help="An order due within this number of days whose delivery is not ready is at "
        "risk, and gets a stock shortage exception.",
    )
    sale_policy_handoff_user_id = fields.Many2one(
        "res.users",
        string="Warehouse Hand-off Contact",
        help="Gets the hand-off activity of deliveries that have no responsible.",
    )

    @api.constrains("sale_policy_sla_hours", "sale_policy_reminder_percent")
    def _check_sale_policy_sla(self):
        for company in self:
            if company.sale_policy_sla_hours <= 0:
                raise ValidationError(self.env._("The review SLA must be more than 0 hours."))
            if not 0 < company.sale_policy_reminder_percent < 100:
                raise ValidationError(
                    self.env._("The SLA reminder must be between 0% and 100% of the SLA.")
                )

    @api.constrains(
        "sale_policy_max_discount", "sale_policy_overdue_days", "sale_policy_at_risk_days"
    )
    def _check_sale_policy_thresholds(self):
        for company in self:
            if not 0 <= company.sale_policy_max_discount <= 100:
                raise ValidationError(
                    self.env._("The maximum discount must be between 0% and 100%.")
                )
            if company.sale_policy_overdue_days < 0:
                raise ValidationError(self.env._("The overdue grace days cannot be negative."))
            if company.sale_policy_at_risk_days < 0:
                raise ValidationError(self.env._("The at-risk days cannot be negative."))

    @api.constrains("sale_policy_calendar_id")
    def _check_sale_policy_calendar(self):
        for company in self:
            calendar = company.sale_policy_calendar_id
            if calendar and not calendar.attendance_ids and not calendar.flexible_hours:
                raise ValidationError(
                    self.env._(
                        "The working calendar %(calendar)s has no working hours; review "
                        "deadlines could never be reached.",
                        calendar=calendar.display_name,
                    )
                )

    @api.constrains(
        "sale_policy_aging_limit_1",
        "sale_policy_aging_limit_2",
        "sale_policy_aging_limit_3",
        "sale_policy_aging_limit_4",
    )
    def _check_sale_policy_aging_limits(self):
        for company in self:
            limits = company._sale_policy_aging_limits()
            if limits[0] < 1 or any(
                low >= high for low, high in zip(limits, limits[1:], strict=False)
            ):
                raise ValidationError(
                    self.env._(
                        "The aging periods of %(company)s must be positive and increasing "
                        "(e.g. 30, 60, 90, 180 days).",
                        company=company.name,
                    )
                )

    @api.constrains(
        "sale_policy_provision_current",
        "sale_policy_provision_1",
        "sale_policy_provision_2",
        "sale_policy_provision_3",
        "sale_policy_provision_4",
        "sale_policy_provision_5",
    )
    def _check_sale_policy_provision_rates(self):
        for company in self:
            if not all(0 <= rate <= 100 for rate in company._sale_policy_provision_rates()):
                raise ValidationError(
                    self.env._("Bad-debt provision rates must be between 0% and 100%.")
                )

    def _sale_policy_aging_limits(self):
        self.ensure_one()
        return [
            self.sale_policy_aging_limit_1,
            self.sale_policy_aging_limit_2,
            self.sale_policy_aging_limit_3,
            self.sale_policy_aging_limit_4,
        ]

    def _sale_policy_provision_rates(self):
        self.ensure_one()
        return [
            self.sale_policy_provision_current,
            self.sale_policy_provision_1,
            self.sale_policy_provision_2,
            self.sale_policy_provision_3,
            self.sale_policy_provision_4,
            self.sale_policy_provision_5,
        ]

    def write(self, vals):
        switched = (
            self.filtered(lambda c: c.sale_policy_enabled != bool(vals["sale_policy_enabled"]))
            if "sale_policy_enabled" in vals
            else self.browse()
        )
        res = super().write(vals)
        if switched:
            event = "policy_on" if vals["sale_policy_enabled"] else "policy_off"
            self.env["sale.policy.log"]._policy_add_many(
                [
                    {"order": self.env["sale.order"], "event": event, "company_id": company.id}
                    for company in switched
                ]
            )
        return res
