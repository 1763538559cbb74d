from odoo import api, fields, models

TRANSPORT_METHODS = [
    ("express", "Express"),
    ("freight", "Logistics Carrier"),
    ("pickup", "Customer Pickup"),
    ("door", "Door Delivery"),
]


class SaleOrder(models.Model):
    """Order elements of the policy text that Odoo's order has no field for (订单要素):
    transport method (运输方式) and quality and acceptance standard (质量验收标准). The
    customer's order number is Odoo's `client_order_ref`, the tax ID the partner's `vat`."""

    _inherit = "sale.order"

    policy_transport_method = fields.Selection(
        TRANSPORT_METHODS,
        string="Transport Method",
        tracking=True,
        help="How the goods travel to the customer (运输方式). With Odoo's delivery methods "
        "installed, the order's shipping method is used instead.",
    )
    policy_quality_standard = fields.Text(
        string="Quality and Acceptance Standard",
        help="The quality and acceptance standard agreed with the customer (质量验收标准); "
        "printed on the quotation and the approval sheet.",
    )
    # Odoo's shipping method (`carrier_id` of `delivery`, chosen with "Add shipping")
    # replaces the transport method when installed; the form shows its name.
    policy_uses_carrier = fields.Boolean(compute="_compute_policy_carrier")
    policy_carrier_name = fields.Char(string="Shipping Method", compute="_compute_policy_carrier")

    def _compute_policy_carrier(self):
        uses_carrier = self._policy_transport_field() == "carrier_id"
        for order in self:
            order.policy_uses_carrier = uses_carrier
            order.policy_carrier_name = uses_carrier and order.carrier_id.display_name

    @api.model
    def _policy_transport_field(self):
        return "carrier_id" if "carrier_id" in self._fields else "policy_transport_method"

    def _policy_invoiced_tax_id(self):
        partner = self.partner_invoice_id or self.partner_id
        return partner.vat or partner.commercial_partner_id.vat

    def _policy_required_elements(self):
        transport = self._policy_transport_field()
        return super()._policy_required_elements() + [
            (
                "sale_policy_require_client_order_ref",
                lambda: self.client_order_ref,
                self.env._("the customer's order number (Customer Reference)"),
            ),
            (
                "sale_policy_require_transport",
                lambda: self[transport],
                self.env._("the shipping method")
                if transport == "carrier_id"
                else self.env._("the transport method"),
            ),
            (
                "sale_policy_require_quality_standard",
                lambda: (self.policy_quality_standard or "").strip(),
                self.env._("the quality and acceptance standard"),
            ),
            (
                "sale_policy_require_tax_id",
                self._policy_invoiced_tax_id,
                self.env._("the tax ID of the invoiced customer"),
            ),
        ]
