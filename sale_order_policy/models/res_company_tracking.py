from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """Settings of order tracking and exceptions (订单跟踪 / 异常订单)."""

    _inherit = "res.company"

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

    @api.constrains("sale_policy_at_risk_days")
    def _check_sale_policy_at_risk_days(self):
        if any(company.sale_policy_at_risk_days < 0 for company in self):
            raise ValidationError(self.env._("The at-risk days cannot be negative."))
