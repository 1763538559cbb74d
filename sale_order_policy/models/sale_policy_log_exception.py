from odoo import fields, models

EXCEPTION_EVENTS = [
    ("override", "Override"),
    ("exception", "Exception"),
]


class SalePolicyLog(models.Model):
    """Log events of order exceptions (异常处理) and their overrides."""

    _inherit = "sale.policy.log"

    event = fields.Selection(
        selection_add=EXCEPTION_EVENTS,
        ondelete={key: "cascade" for key, _label in EXCEPTION_EVENTS},
    )
