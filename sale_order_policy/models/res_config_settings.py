from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_enabled = fields.Boolean(related="company_id.sale_policy_enabled", readonly=False)
    sale_policy_sla_hours = fields.Float(related="company_id.sale_policy_sla_hours", readonly=False)
    sale_policy_calendar_id = fields.Many2one(
        related="company_id.sale_policy_calendar_id", readonly=False
    )
    sale_policy_reminder_percent = fields.Float(
        related="company_id.sale_policy_reminder_percent", readonly=False
    )
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
    sale_policy_block_unapproved_email = fields.Boolean(
        related="company_id.sale_policy_block_unapproved_email", readonly=False
    )
    sale_policy_at_risk_days = fields.Integer(
        related="company_id.sale_policy_at_risk_days", readonly=False
    )
    sale_policy_handoff_user_id = fields.Many2one(
        related="company_id.sale_policy_handoff_user_id", readonly=False
    )
    sale_policy_settle_days = fields.Integer(
        related="company_id.sale_policy_settle_days", readonly=False
    )
    sale_policy_aging_limit_1 = fields.Integer(
        related="company_id.sale_policy_aging_limit_1", readonly=False
    )
    sale_policy_aging_limit_2 = fields.Integer(
        related="company_id.sale_policy_aging_limit_2", readonly=False
    )
    sale_policy_aging_limit_3 = fields.Integer(
        related="company_id.sale_policy_aging_limit_3", readonly=False
    )
    sale_policy_aging_limit_4 = fields.Integer(
        related="company_id.sale_policy_aging_limit_4", readonly=False
    )
    sale_policy_provision_current = fields.Float(
        related="company_id.sale_policy_provision_current", readonly=False
    )
    sale_policy_provision_1 = fields.Float(
        related="company_id.sale_policy_provision_1", readonly=False
    )
    sale_policy_provision_2 = fields.Float(
        related="company_id.sale_policy_provision_2", readonly=False
    )
    sale_policy_provision_3 = fields.Float(
        related="company_id.sale_policy_provision_3", readonly=False
    )
    sale_policy_provision_4 = fields.Float(
        related="company_id.sale_policy_provision_4", readonly=False
    )
    sale_policy_provision_5 = fields.Float(
        related="company_id.sale_policy_provision_5", readonly=False
    )
    sale_policy_rating_days = fields.Integer(
        related="company_id.sale_policy_rating_days", readonly=False
    )
    sale_policy_rating_low = fields.Float(
        related="company_id.sale_policy_rating_low", readonly=False
    )
