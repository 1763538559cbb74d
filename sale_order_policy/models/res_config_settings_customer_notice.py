from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_notify_confirmation = fields.Boolean(
        related="company_id.sale_policy_notify_confirmation", readonly=False
    )
    sale_policy_notify_shipping = fields.Boolean(
        related="company_id.sale_policy_notify_shipping", readonly=False
    )
    sale_policy_delay_notice_hours = fields.Float(
        related="company_id.sale_policy_delay_notice_hours", readonly=False
    )
