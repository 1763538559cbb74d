from odoo import fields, models


class SalePolicyRevisionLine(models.Model):
    """An order line as it was in a previous revision."""

    _name = "sale.policy.revision.line"
    _inherit = "sale.policy.protected.mixin"
    _description = "Sales Order Revision Line"
    _order = "revision_id, sequence, id"
    _check_company_auto = True

    revision_id = fields.Many2one(
        "sale.policy.revision", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="revision_id.company_id", store=True)
    currency_id = fields.Many2one(related="revision_id.currency_id")
    sale_line_id = fields.Many2one("sale.order.line", string="Order Line", ondelete="set null")
    sequence = fields.Integer()
    product_id = fields.Many2one("product.product", string="Product")
    name = fields.Text(string="Description")
    product_uom_qty = fields.Float(string="Quantity", digits="Product Unit of Measure")
    product_uom_id = fields.Many2one("uom.uom", string="Unit")
    price_unit = fields.Float(string="Unit Price", digits="Product Price")
    discount = fields.Float(string="Discount (%)", digits="Discount")
    price_subtotal = fields.Monetary(string="Subtotal")
    price_total = fields.Monetary(string="Total")
