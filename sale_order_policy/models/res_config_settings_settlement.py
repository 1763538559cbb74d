from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_settle_days = fields.Integer(
        related="company_id.sale_policy_settle_days", readonly=False
    )
    sale_policy_aging_period_ids = fields.One2many(
        related="company_id.sale_policy_aging_period_ids", readonly=False
    )
