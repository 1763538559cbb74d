from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_kpi_mail = fields.Boolean(related="company_id.sale_policy_kpi_mail", readonly=False)
