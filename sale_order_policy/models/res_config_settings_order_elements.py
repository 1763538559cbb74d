from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sale_policy_require_priced_lines = fields.Boolean(
        related="company_id.sale_policy_require_priced_lines", readonly=False
    )
    sale_policy_require_addresses = fields.Boolean(
        related="company_id.sale_policy_require_addresses", readonly=False
    )
    sale_policy_require_contact = fields.Boolean(
        related="company_id.sale_policy_require_contact", readonly=False
    )
    sale_policy_require_commitment_date = fields.Boolean(
        related="company_id.sale_policy_require_commitment_date", readonly=False
    )
    sale_policy_require_payment_term = fields.Boolean(
        related="company_id.sale_policy_require_payment_term", readonly=False
    )
    sale_policy_require_confirmation = fields.Boolean(
        related="company_id.sale_policy_require_confirmation", readonly=False
    )
    sale_policy_require_intake_channel = fields.Boolean(
        related="company_id.sale_policy_require_intake_channel", readonly=False
    )
    sale_policy_require_client_order_ref = fields.Boolean(
        related="company_id.sale_policy_require_client_order_ref", readonly=False
    )
    sale_policy_require_transport = fields.Boolean(
        related="company_id.sale_policy_require_transport", readonly=False
    )
    sale_policy_require_quality_standard = fields.Boolean(
        related="company_id.sale_policy_require_quality_standard", readonly=False
    )
    sale_policy_require_tax_id = fields.Boolean(
        related="company_id.sale_policy_require_tax_id", readonly=False
    )
