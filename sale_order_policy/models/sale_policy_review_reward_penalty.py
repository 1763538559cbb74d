from odoo import fields, models

from .sale_policy_rule_reward_penalty import REWARD_PENALTY


class SalePolicyReview(models.Model):
    _inherit = "sale.policy.review"

    applies_to = fields.Selection(
        selection_add=REWARD_PENALTY, ondelete={"reward_penalty": "cascade"}
    )
