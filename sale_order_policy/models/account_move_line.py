from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def reconcile(self):
        res = super().reconcile()
        orders = self.move_id.line_ids.sale_line_ids.order_id
        if orders:
            self.env["sale.policy.exception"]._policy_detect(
                orders, codes=("payment_overdue", "credit")
            )
        return res
