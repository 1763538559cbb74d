from odoo import models
from odoo.exceptions import UserError

from ..models.sale_policy_protected_mixin import policy_system_change


class SaleAdvancePaymentInv(models.TransientModel):
    _inherit = "sale.advance.payment.inv"

    def _create_invoices(self, sale_orders):
        unapproved = sale_orders.filtered(
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
