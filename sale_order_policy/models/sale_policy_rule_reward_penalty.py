from odoo import fields, models

REWARD_PENALTY = [("reward_penalty", "Reward or Penalty")]


class SalePolicyRule(models.Model):
    _inherit = "sale.policy.rule"

    applies_to = fields.Selection(
        selection_add=REWARD_PENALTY, ondelete={"reward_penalty": "cascade"}
    )
