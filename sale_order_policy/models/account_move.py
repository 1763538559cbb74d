from odoo import models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        invoices = self.filtered(lambda m: m.is_sale_document(include_receipts=True))
        orders = invoices.line_ids.sale_line_ids.order_id
        if orders:
            Exc = self.env["sale.policy.exception"]
            blocking = Exc._policy_blocking_for(orders, "invoice")
            for invoice in invoices:
                found = blocking.filtered(
                    lambda e, m=invoice: e.order_id in m.line_ids.sale_line_ids.order_id
                    and (not e.invoice_id or e.invoice_id == m)
                )
                if found:
                    raise UserError(
                        Exc._policy_blocking_message(
                            found,
                            self.env._(
                                "Invoice %(invoice)s",
                                invoice=invoice.name or invoice.display_name,
                            ),
                        )
                    )
        return super()._post(soft=soft)
