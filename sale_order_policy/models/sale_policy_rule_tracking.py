from odoo import models


class SalePolicyRule(models.Model):
    """Every change to an approval rule is kept: chatter and configuration log."""

    _name = "sale.policy.rule"
    _inherit = ["sale.policy.rule", "sale.policy.config.tracked.mixin", "mail.thread"]
