from odoo import fields, models


class ResCompany(models.Model):
    """Order elements (订单要素) a company requires before an order can be submitted.
    The customer is always required."""

    _inherit = "res.company"

    sale_policy_require_priced_lines = fields.Boolean(
        string="Require Priced Lines",
        default=True,
        help="At least one line, and on every line a product, a quantity above zero and a "
        "price above zero unless the line is flagged free of charge.",
    )
    sale_policy_require_addresses = fields.Boolean(string="Require Addresses", default=True)
    sale_policy_require_contact = fields.Boolean(
        string="Require Customer Phone or Email", default=True
    )
    sale_policy_require_commitment_date = fields.Boolean(
        string="Require Delivery Date", default=True
    )
    sale_policy_require_payment_term = fields.Boolean(string="Require Payment Terms", default=True)
    sale_policy_require_confirmation = fields.Boolean(
        string="Require Customer Confirmation Method", default=True
    )
    sale_policy_require_intake_channel = fields.Boolean(
        string="Require Intake Channel", default=True
    )
    # Elements of the policy text that Odoo does not require; off until a company opts in.
    sale_policy_require_client_order_ref = fields.Boolean(
        string="Require Customer Order Number",
        help="The customer's own order number (客户订单号, Odoo's Customer Reference).",
    )
    sale_policy_require_transport = fields.Boolean(
        string="Require Transport Method",
        help="How the goods travel (运输方式): the shipping method when Odoo's delivery "
        "methods are installed, else the transport method of the order.",
    )
    sale_policy_require_quality_standard = fields.Boolean(
        string="Require Quality and Acceptance Standard",
        help="The quality and acceptance standard agreed with the customer (质量验收标准), "
        "printed on the quotation and the approval sheet.",
    )
    sale_policy_require_tax_id = fields.Boolean(
        string="Require Customer Tax ID",
        help="The invoiced customer's tax ID (纳税人识别号 / 统一社会信用代码).",
    )
