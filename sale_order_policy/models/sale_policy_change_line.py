from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_is_zero
from odoo.tools.misc import formatLang

from .sale_policy_protected_mixin import is_policy_privileged


class SalePolicyChangeLine(models.Model):
    """One line of a change request: an existing order line or a new product."""

    _name = "sale.policy.change.line"
    _description = "Sales Order Change Request Line"
    _order = "change_id, sequence, id"
    _check_company_auto = True

    change_id = fields.Many2one("sale.policy.change", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="change_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="change_id.currency_id")
    sequence = fields.Integer(default=10)
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Order Line",
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain="[('sale_ok', '=', True)]",
    )
    product_uom_id = fields.Many2one(
        "uom.uom", string="Unit", compute="_compute_product_uom_id", store=True
    )
    old_qty = fields.Float(
        string="Current Quantity", digits="Product Unit of Measure", readonly=True
    )
    old_price_unit = fields.Float(string="Current Price", digits="Product Price", readonly=True)
    old_discount = fields.Float(string="Current Discount (%)", digits="Discount", readonly=True)
    new_qty = fields.Float(string="New Quantity", digits="Product Unit of Measure")
    new_price_unit = fields.Float(string="New Price", digits="Product Price")
    new_discount = fields.Float(string="New Discount (%)", digits="Discount")
    qty_delivered = fields.Float(related="sale_line_id.qty_delivered", string="Delivered")
    old_subtotal = fields.Monetary(
        compute="_compute_subtotals", store=True, string="Current Subtotal"
    )
    new_subtotal = fields.Monetary(compute="_compute_subtotals", store=True)
    is_price_cut = fields.Boolean(string="Price Cut", compute="_compute_subtotals", store=True)
    line_status = fields.Selection(
        [
            ("same", "Unchanged"),
            ("changed", "Changed"),
            ("new", "Added"),
            ("removed", "Removed"),
        ],
        string="Status",
        compute="_compute_line_status",
    )

    @api.depends("sale_line_id.product_uom", "product_id")
    def _compute_product_uom_id(self):
        for line in self:
            line.product_uom_id = line.sale_line_id.product_uom or line.product_id.uom_id

    @api.depends(
        "old_qty", "old_price_unit", "old_discount", "new_qty", "new_price_unit", "new_discount"
    )
    def _compute_subtotals(self):
        for line in self:
            old_net = line.old_price_unit * (1 - line.old_discount / 100.0)
            new_net = line.new_price_unit * (1 - line.new_discount / 100.0)
            line.old_subtotal = line.old_qty * old_net
            line.new_subtotal = line.new_qty * new_net
            line.is_price_cut = (
                bool(line.sale_line_id) and float_compare(new_net, old_net, precision_digits=6) < 0
            )

    @api.depends(
        "sale_line_id",
        "old_qty",
        "old_price_unit",
        "old_discount",
        "new_qty",
        "new_price_unit",
        "new_discount",
    )
    def _compute_line_status(self):
        for line in self:
            if not line.sale_line_id:
                line.line_status = "new"
            elif float_is_zero(line.new_qty, precision_digits=6) and line.old_qty:
                line.line_status = "removed"
            elif line._policy_changed():
                line.line_status = "changed"
            else:
                line.line_status = "same"

    @api.constrains("sale_line_id", "change_id")
    def _check_sale_line_of_order(self):
        for line in self:
            if line.sale_line_id and line.sale_line_id.order_id != line.change_id.order_id:
                raise ValidationError(
                    self.env._(
                        "Line %(line)s belongs to order %(other)s, not to %(order)s: a change "
                        "request changes only its own order.",
                        line=line.sale_line_id.display_name,
                        other=line.sale_line_id.order_id.name,
                        order=line.change_id.order_id.name,
                    )
                )

    @api.onchange("product_id")
    def _onchange_product_id(self):
        if self.product_id and not self.sale_line_id:
            order = self.change_id.order_id
            self.new_price_unit = (
                order.pricelist_id._get_product_price(self.product_id, self.new_qty or 1.0)
                if order.pricelist_id
                else self.product_id.lst_price
            )
            self.new_qty = self.new_qty or 1.0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            sale_line = self.env["sale.order.line"].browse(vals.get("sale_line_id"))
            if sale_line:
                current = {
                    "qty": sale_line.product_uom_qty,
                    "price_unit": sale_line.price_unit,
                    "discount": sale_line.discount,
                }
                vals["product_id"] = sale_line.product_id.id
                vals["sequence"] = vals.get("sequence", sale_line.sequence)
                for key, value in current.items():
                    vals[f"old_{key}"] = value
                    vals.setdefault(f"new_{key}", value)
            else:
                for key in ("qty", "price_unit", "discount"):
                    vals.pop(f"old_{key}", None)
        lines = super().create(vals_list)
        lines._policy_check_editable()
        return lines

    def write(self, vals):
        self._policy_check_editable()
        if {"change_id", "sale_line_id", "old_qty", "old_price_unit", "old_discount"} & set(
            vals
        ) and not is_policy_privileged():
            raise UserError(self.env._("The current values of a change request line are fixed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        self._policy_check_editable()

    def _policy_check_editable(self):
        if is_policy_privileged():
            return
        if any(line.change_id.state != "draft" for line in self):
            raise UserError(
                self.env._("Only draft change requests can be edited; withdraw it instead.")
            )

    def _policy_changed(self):
        self.ensure_one()
        return (
            float_compare(self.new_qty, self.old_qty, precision_digits=6)
            or float_compare(self.new_price_unit, self.old_price_unit, precision_digits=6)
            or float_compare(self.new_discount, self.old_discount, precision_digits=6)
        )

    def _policy_validate(self):
        for line in self:
            name = line.product_id.display_name
            if not line.product_id:
                raise UserError(self.env._("Every new line of a change request needs a product."))
            if line.new_qty < 0 or line.new_price_unit < 0:
                raise UserError(
                    self.env._(
                        "%(product)s: quantities and prices cannot be negative.", product=name
                    )
                )
            if not 0 <= line.new_discount <= 100:
                raise UserError(
                    self.env._(
                        "%(product)s: the discount must be between 0 and 100%%.", product=name
                    )
                )
            if (
                line.sale_line_id
                and line.product_id.type == "consu"
                and float_compare(line.new_qty, line.qty_delivered, precision_digits=6) < 0
            ):
                raise UserError(
                    self.env._(
                        "%(product)s: %(delivered)s already delivered, the quantity cannot go "
                        "below it. Create a return from the delivery order instead.",
                        product=name,
                        delivered=line._fmt(line.qty_delivered, "Product Unit of Measure"),
                    )
                )

    def _policy_apply(self):
        """Write the approved values through the order lines (pickings follow)."""
        new_lines = []
        for line in self:
            if not line.sale_line_id:
                if not float_is_zero(line.new_qty, precision_digits=6):
                    new_lines.append(
                        fields.Command.create(
                            {
                                "product_id": line.product_id.id,
                                "product_uom_qty": line.new_qty,
                                "price_unit": line.new_price_unit,
                                "discount": line.new_discount,
                            }
                        )
                    )
                continue
            if not line._policy_changed():
                continue
            line.sale_line_id.write(
                {
                    "product_uom_qty": line.new_qty,
                    "price_unit": line.new_price_unit,
                    "discount": line.new_discount,
                }
            )
        if new_lines:
            self.change_id.order_id.write({"order_line": new_lines})

    def _policy_diff_lines(self):
        result = []
        for line in self:
            product = line.product_id.display_name
            if not line.sale_line_id:
                if not float_is_zero(line.new_qty, precision_digits=6):
                    result.append(
                        self.env._(
                            "Added %(product)s: %(qty)s × %(price)s (discount %(discount)s%%)",
                            product=product,
                            qty=line._fmt(line.new_qty, "Product Unit of Measure"),
                            price=line._fmt(line.new_price_unit, "Product Price"),
                            discount=line._fmt(line.new_discount, "Discount"),
                        )
                    )
                continue
            if float_is_zero(line.new_qty, precision_digits=6) and line.old_qty:
                result.append(
                    self.env._(
                        "Removed %(product)s (quantity %(qty)s → 0)",
                        product=product,
                        qty=line._fmt(line.old_qty, "Product Unit of Measure"),
                    )
                )
                continue
            for label, old, new, digits in (
                (self.env._("quantity"), line.old_qty, line.new_qty, "Product Unit of Measure"),
                (
                    self.env._("unit price"),
                    line.old_price_unit,
                    line.new_price_unit,
                    "Product Price",
                ),
                (self.env._("discount (%)"), line.old_discount, line.new_discount, "Discount"),
            ):
                if float_compare(old, new, precision_digits=6):
                    result.append(
                        self.env._(
                            "%(product)s: %(what)s %(old)s → %(new)s",
                            product=product,
                            what=label,
                            old=line._fmt(old, digits),
                            new=line._fmt(new, digits),
                        )
                    )
        return result

    def _fmt(self, value, digits):
        return formatLang(self.env, value, dp=digits)
