from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_rating_days = fields.Integer(
        related="company_id.sale_policy_rating_days", readonly=False
    )
    sale_policy_rating_low = fields.Float(
        related="company_id.sale_policy_rating_low", readonly=False
    )
