from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_at_risk_days = fields.Integer(
        related="company_id.sale_policy_at_risk_days", readonly=False
    )
    sale_policy_handoff_user_id = fields.Many2one(
        related="company_id.sale_policy_handoff_user_id", readonly=False
    )
