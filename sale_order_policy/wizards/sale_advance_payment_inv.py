from odoo import models
from odoo.exceptions import UserError

from ..models.sale_policy_protected_mixin import policy_system_change


class SaleAdvancePaymentInv(models.TransientModel):
    _inherit = "sale.advance.payment.inv"

    def _create_invoices(self, sale_orders):
        # Odoo's own down-payment path reads the wizard's orders, whatever is passed.
        orders = self.sale_order_ids
        if isinstance(sale_orders, models.BaseModel):
            orders |= sale_orders
        # A quotation that needs no review is approved at once, as Confirm does.
        orders._policy_approve_directly_where_possible()
        unapproved = orders.filtered(
            lambda o: o.state in ("draft", "sent") and o._policy_needs_approval()
        )
        if unapproved:
            raise UserError(
                self.env._(
                    "%(orders)s cannot be invoiced before it is approved (down payments "
                    "included).",
                    orders=", ".join(unapproved.mapped("name")),
                )
            )
        # Down payment and final invoices adjust the orders on behalf of the wizard.
        with policy_system_change(self.env._("the invoicing wizard")):
            return super()._create_invoices(sale_orders)
