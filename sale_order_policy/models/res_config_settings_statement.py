from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_statement_auto = fields.Boolean(
        related="company_id.sale_policy_statement_auto", readonly=False
    )
