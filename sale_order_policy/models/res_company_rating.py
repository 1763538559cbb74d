from odoo import fields, models


class ResCompany(models.Model):
    """Settings of the after-sales satisfaction survey (售后满意度)."""

    _inherit = "res.company"

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
