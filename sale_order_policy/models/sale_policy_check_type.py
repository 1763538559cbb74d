from odoo import fields, models


class SalePolicyCheckType(models.Model):
    """An automated review check; `sale.order._policy_check_<code>()` implements it."""

    _name = "sale.policy.check.type"
    _inherit = ["sale.policy.config.tracked.mixin"]
    _description = "Sales Policy Check Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical code: the order method _policy_check_<code> runs this check.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("code_unique", "unique(code)", "A check type with this code already exists."),
    ]
