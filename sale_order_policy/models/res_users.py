from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    sale_policy_delegation_ids = fields.One2many(
        "sale.policy.delegation", "user_id", string="Review Delegations"
    )
