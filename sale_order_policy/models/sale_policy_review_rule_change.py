from odoo import fields, models

from .sale_policy_rule_rule_change import RULE_CHANGE


class SalePolicyReview(models.Model):
    _inherit = "sale.policy.review"

    applies_to = fields.Selection(selection_add=RULE_CHANGE, ondelete={"rule_change": "cascade"})
