from odoo import api, fields, models

MATERIAL_LINE_FIELDS = frozenset(
    {"product_id", "product_uom_qty", "product_uom", "price_unit", "discount"}
)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    policy_free_of_charge = fields.Boolean(
        string="Free of Charge",
        help="A deliberate free line (sample, gift): a zero price does not make the order "
        "incomplete.",
    )

    def _policy_guarded(self):
        """Lines whose change alters what was approved (not sections, notes, down payments)."""
        return self.filtered(lambda line: not line.display_type and not line.is_downpayment)

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        material = [
            vals
            for vals in vals_list
            if not vals.get("display_type") and not vals.get("is_downpayment")
        ]
        if material and orders:
            orders._policy_guard_material_change(self.env._("order lines"))
        return super().create(vals_list)

    def write(self, vals):
        changed = MATERIAL_LINE_FIELDS & set(vals)
        if changed:
            lines = self._policy_guarded().filtered(
                lambda line: any(
                    line._policy_value_differs(fname, vals[fname]) for fname in changed
                )
            )
            if lines:
                lines.order_id._policy_guard_material_change(self.env._("order lines"))
        return super().write(vals)

    def _policy_value_differs(self, fname, new):
        field = self._fields[fname]
        old = self[fname]
        if field.type == "many2one":
            return old.id != (new or False)
        return field.convert_to_cache(new, self) != old

    @api.ondelete(at_uninstall=False)
    def _unlink_policy_guard(self):
        lines = self._policy_guarded()
        if lines:
            lines.order_id._policy_guard_material_change(self.env._("order lines"))
