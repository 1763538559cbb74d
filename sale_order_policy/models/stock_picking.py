from odoo import fields, models
from odoo.exceptions import UserError

from .sale_policy_protected_mixin import policy_system_change


class StockPicking(models.Model):
    _inherit = "stock.picking"

    policy_handoff_note = fields.Text(
        string="Hand-off Note",
        readonly=True,
        copy=False,
        help="Committed date and special requirements of the sales order (订单分发).",
    )

    def _policy_check_exception_block(self):
        """Refuse to validate deliveries of orders with an open blocking exception."""
        orders = self.sale_id
        if not orders:
            return
        blocking = self.env["sale.policy.exception"]._policy_blocking_for(orders, "delivery")
        for picking in self.filtered("sale_id"):
            found = blocking.filtered(
                lambda e, p=picking: e.order_id == p.sale_id
                and (not e.picking_id or e.picking_id == p)
            )
            if found:
                raise UserError(
                    self.env["sale.policy.exception"]._policy_blocking_message(
                        found,
                        self.env._("Delivery %(picking)s", picking=picking.name),
                    )
                )

    def button_validate(self):
        self._policy_check_exception_block()
        return super().button_validate()

    def _action_done(self):
        self._policy_check_exception_block()
        # Delivered extra products and real shipping costs reach the order on behalf of
        # the delivery (logged on the order).
        with policy_system_change(self):
            res = super()._action_done()
        orders = self.sale_id
        if orders:
            self.env["sale.policy.exception"]._policy_detect(
                orders, codes=("late_delivery", "stock_shortage")
            )
        return res

    def action_assign(self):
        res = super().action_assign()
        orders = self.sale_id
        if orders:
            self.env["sale.policy.exception"]._policy_detect(orders, codes=("stock_shortage",))
        return res
