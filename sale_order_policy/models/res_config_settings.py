from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_enabled = fields.Boolean(related="company_id.sale_policy_enabled", readonly=False)
    sale_policy_sla_hours = fields.Float(related="company_id.sale_policy_sla_hours", readonly=False)
    sale_policy_sla_hours_urgent = fields.Float(
        related="company_id.sale_policy_sla_hours_urgent", readonly=False
    )
    sale_policy_calendar_id = fields.Many2one(
        related="company_id.sale_policy_calendar_id", readonly=False
    )
    sale_policy_reminder_percent = fields.Float(
        related="company_id.sale_policy_reminder_percent", readonly=False
    )
    sale_policy_block_unapproved_email = fields.Boolean(
        related="company_id.sale_policy_block_unapproved_email", readonly=False
    )
