from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_rule_approval = fields.Boolean(
        related="company_id.sale_policy_rule_approval", readonly=False
    )
