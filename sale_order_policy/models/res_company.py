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
    # Required order elements (订单要素); customer and order lines are always required.
    sale_policy_require_addresses = fields.Boolean(string="Require Addresses", default=True)
    sale_policy_require_contact = fields.Boolean(
        string="Require Customer Phone or Email", default=True
    )
    sale_policy_require_commitment_date = fields.Boolean(
        string="Require Delivery Date", default=True
    )
    sale_policy_require_payment_term = fields.Boolean(string="Require Payment Terms", default=True)
    sale_policy_require_confirmation = fields.Boolean(
        string="Require Customer Confirmation Method", default=True
    )
    sale_policy_require_intake_channel = fields.Boolean(
        string="Require Intake Channel", default=True
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
