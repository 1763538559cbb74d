from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_overdue_days = fields.Integer(
        related="company_id.sale_policy_overdue_days", readonly=False
    )
    sale_policy_overdue_block = fields.Boolean(
        related="company_id.sale_policy_overdue_block", readonly=False
    )
    sale_policy_max_discount = fields.Float(
        related="company_id.sale_policy_max_discount", readonly=False
    )
    sale_policy_min_margin = fields.Float(
        related="company_id.sale_policy_min_margin", readonly=False
    )
    sale_policy_payment_term_ids = fields.Many2many(
        related="company_id.sale_policy_payment_term_ids", readonly=False
    )
