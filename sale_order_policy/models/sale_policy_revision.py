from odoo import api, fields, models

from .sale_policy_protected_mixin import policy_privileged


class SalePolicyRevision(models.Model):
    """A version of a confirmed order, kept when an approved change replaces it (订单修订)."""

    _name = "sale.policy.revision"
    _inherit = "sale.policy.protected.mixin"
    _description = "Sales Order Revision"
    _order = "order_id, revision_number desc"
    _check_company_auto = True
    _rec_name = "name"

    name = fields.Char(compute="_compute_name", store=True)
    order_id = fields.Many2one(
        "sale.order", required=True, ondelete="restrict", index=True, check_company=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    change_id = fields.Many2one(
        "sale.policy.change",
        string="Change Request",
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    revision_number = fields.Integer(
        string="Revision", required=True, help="The version the change produced (Rev. N)."
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="Applied by", required=True)
    reason = fields.Text(related="change_id.reason")
    diff = fields.Text(string="Changes", help="What changed, from what, to what.")
    # Snapshot of the previous version.
    partner_id = fields.Many2one("res.partner", string="Customer")
    partner_invoice_id = fields.Many2one("res.partner", string="Invoice Address")
    partner_shipping_id = fields.Many2one("res.partner", string="Delivery Address")
    pricelist_id = fields.Many2one("product.pricelist", string="Pricelist")
    currency_id = fields.Many2one("res.currency")
    payment_term_id = fields.Many2one("account.payment.term", string="Payment Terms")
    commitment_date = fields.Datetime(string="Delivery Date")
    amount_untaxed = fields.Monetary(string="Untaxed Amount")
    amount_tax = fields.Monetary(string="Taxes")
    amount_total = fields.Monetary(string="Total")
    new_amount_total = fields.Monetary(string="New Total")
    line_ids = fields.One2many("sale.policy.revision.line", "revision_id", string="Previous Lines")

    _sql_constraints = [
        (
            "order_revision_uniq",
            "unique(order_id, revision_number)",
            "Each revision number appears once per order.",
        ),
    ]

    @api.depends("revision_number")
    def _compute_name(self):
        for revision in self:
            revision.name = f"Rev. {revision.revision_number}"

    @api.depends("revision_number")
    def _compute_display_name(self):
        # The stored name is for search; users read the revision in their language (版本 N).
        for revision in self:
            revision.display_name = self.env._("Rev. %(number)s", number=revision.revision_number)

    @api.model
    def _policy_snapshot(self, order, change):
        """Keep the current version of `order` before `change` alters it."""
        lines = order.order_line.filtered(lambda line: not line.display_type)
        with policy_privileged():
            return self.sudo().create(
                {
                    "order_id": order.id,
                    "change_id": change.id,
                    "revision_number": order.policy_revision + 1,
                    "user_id": self.env.uid,
                    "partner_id": order.partner_id.id,
                    "partner_invoice_id": order.partner_invoice_id.id,
                    "partner_shipping_id": order.partner_shipping_id.id,
                    "pricelist_id": order.pricelist_id.id,
                    "currency_id": order.currency_id.id,
                    "payment_term_id": order.payment_term_id.id,
                    "commitment_date": order.commitment_date,
                    "amount_untaxed": order.amount_untaxed,
                    "amount_tax": order.amount_tax,
                    "amount_total": order.amount_total,
                    "line_ids": [
                        fields.Command.create(
                            {
                                "sale_line_id": line.id,
                                "sequence": line.sequence,
                                "product_id": line.product_id.id,
                                "name": line.name,
                                "product_uom_qty": line.product_uom_qty,
                                "product_uom_id": line.product_uom.id,
                                "price_unit": line.price_unit,
                                "discount": line.discount,
                                "price_subtotal": line.price_subtotal,
                                "price_total": line.price_total,
                            }
                        )
                        for line in lines
                    ],
                }
            )

    def _policy_set_diff(self, diff_lines):
        """Record the differences and the new total once the change is applied."""
        self.ensure_one()
        order = self.order_id
        diff_lines = list(diff_lines)
        if order.currency_id.compare_amounts(self.amount_total, order.amount_total):
            diff_lines.append(
                self.env._(
                    "Total: %(old)s → %(new)s",
                    old=self._fmt_amount(self.amount_total),
                    new=self._fmt_amount(order.amount_total),
                )
            )
        with policy_privileged():
            self.sudo().write(
                {"diff": "\n".join(diff_lines), "new_amount_total": order.amount_total}
            )

    def _fmt_amount(self, amount):
        return self.currency_id.format(amount) if self.currency_id else str(amount)
