from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """Customer notices of the policy: order confirmation (订单确认), shipping notice
    (发货通知) and delay notice (延期通知)."""

    _inherit = "res.company"

    sale_policy_notify_confirmation = fields.Boolean(
        string="Send Order Confirmation Automatically",
        help="Once an order is approved (or confirmed, if not sent since its approval), "
        "e-mail the customer the approved lines, the promised date and the expected "
        "shipping date.",
    )
    sale_policy_notify_shipping = fields.Boolean(
        string="Send Shipping Notices",
        default=True,
        help="When a delivery of a policy order is validated, e-mail the customer what was "
        "shipped, what is still to come, the carrier and the tracking reference.",
    )
    sale_policy_delay_notice_hours = fields.Float(
        string="Tell the Customer of a Delay within (hours)",
        default=24.0,
        help="Late-delivery and stock-shortage exceptions whose customer was not told "
        "within this time are listed as 'Customer not told' and escalated.",
    )

    @api.constrains("sale_policy_delay_notice_hours")
    def _check_sale_policy_delay_notice_hours(self):
        for company in self:
            if company.sale_policy_delay_notice_hours <= 0:
                raise ValidationError(
                    self.env._("The time to tell the customer of a delay must be positive.")
                )
