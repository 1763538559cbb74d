from odoo import fields, models

RULE_CHANGE = [("rule_change", "Rule Change")]


class SalePolicyRule(models.Model):
    _inherit = "sale.policy.rule"

    applies_to = fields.Selection(selection_add=RULE_CHANGE, ondelete={"rule_change": "cascade"})
