from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        """An online payment never confirms an unapproved order: it goes to review."""
        gated = self.browse()
        for tx in self:
            quotation = tx.sale_order_ids.filtered(lambda so: so.state in ("draft", "sent"))
            if len(tx.sale_order_ids) == 1 and quotation and quotation._policy_needs_approval():
                if quotation._is_confirmation_amount_reached():
                    quotation._policy_route_to_review(self.env._("online payment"))
                # Approved at once when no rule applies: Odoo confirms it as usual.
                if quotation._policy_needs_approval():
                    gated |= tx
        return super(PaymentTransaction, self - gated)._check_amount_and_confirm_order()
