from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .sale_policy_protected_mixin import is_policy_privileged, policy_privileged


class ResCompany(models.Model):
    """Core settings of the policy: on/off (logged), review SLA and its calendar,
    reminder, sending of unapproved quotations. Each feature keeps its own settings in
    `res_company_<feature>.py`."""

    _inherit = "res.company"

    sale_policy_enabled = fields.Boolean(
        string="Enforce Sales Order Policy",
        help="Orders of this company must pass the policy checks and the approval chain "
        "before they can be confirmed.",
    )
    sale_policy_enabled_since = fields.Datetime(
        string="Policy Enforced Since",
        readonly=True,
        copy=False,
        help="When the policy was last switched on: an order confirmed before it, without "
        "review, is shown “Before the Policy”.",
    )
    sale_policy_sla_hours = fields.Float(
        string="Review SLA (hours)",
        default=24.0,
        help="Every department finishes its review within this time of receiving the order "
        "(各相关部门应在收到订单后24小时内完成审核): the deadline of the whole submission.",
    )
    sale_policy_sla_hours_urgent = fields.Float(
        string="Urgent Review SLA (hours)",
        default=4.0,
        help="The whole review of an urgent (starred) order finishes within this time.",
    )
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
    sale_policy_block_unapproved_email = fields.Boolean(
        string="Block Sending Unapproved Quotations",
    )

    @api.constrains(
        "sale_policy_sla_hours", "sale_policy_sla_hours_urgent", "sale_policy_reminder_percent"
    )
    def _check_sale_policy_sla(self):
        for company in self:
            if company.sale_policy_sla_hours <= 0 or company.sale_policy_sla_hours_urgent <= 0:
                raise ValidationError(self.env._("The review SLA must be more than 0 hours."))
            if not 0 < company.sale_policy_reminder_percent < 100:
                raise ValidationError(
                    self.env._("The SLA reminder must be between 0% and 100% of the SLA.")
                )

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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.pop("sale_policy_enabled_since", None)
            if vals.get("sale_policy_enabled"):
                vals["sale_policy_enabled_since"] = fields.Datetime.now()
        return super().create(vals_list)

    def write(self, vals):
        if "sale_policy_enabled_since" in vals and not is_policy_privileged():
            # Kept by the engine: the moment the policy was switched on.
            vals = {k: v for k, v in vals.items() if k != "sale_policy_enabled_since"}
        switched = (
            self.filtered(lambda c: c.sale_policy_enabled != bool(vals["sale_policy_enabled"]))
            if "sale_policy_enabled" in vals
            else self.browse()
        )
        res = super().write(vals)
        if switched and vals["sale_policy_enabled"]:
            # Through the whole write: the configuration log records the moment too.
            with policy_privileged():
                switched.write({"sale_policy_enabled_since": fields.Datetime.now()})
        if switched:
            event = "policy_on" if vals["sale_policy_enabled"] else "policy_off"
            self.env["sale.policy.log"]._policy_add_many(
                [
                    {"order": self.env["sale.order"], "event": event, "company_id": company.id}
                    for company in switched
                ]
            )
        return res
