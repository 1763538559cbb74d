from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from .sale_policy_protected_mixin import is_policy_privileged, policy_system_cause


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    policy_free_of_charge = fields.Boolean(
        string="Free of Charge",
        help="A deliberate free line (sample, gift): a zero price does not make the order "
        "incomplete.",
    )

    @api.model
    def _policy_approved_line_fields(self):
        """What reviewers approve of a line; another module may add its own."""
        return ["product_id", "product_uom_qty", "product_uom", "price_unit", "discount", "tax_id"]

    def _policy_is_approved_content(self):
        self.ensure_one()
        return not self.display_type and not (
            self.is_downpayment and float_is_zero(self.product_uom_qty, precision_digits=6)
        )

    @api.model_create_multi
    def create(self, vals_list):
        if is_policy_privileged():
            return super().create(vals_list)
        order_ids = {vals.get("order_id") for vals in vals_list}
        if None in order_ids or False in order_ids:
            # Context defaults and user defaults (ir.default) can name the order too.
            order_ids.add(self.default_get(["order_id"]).get("order_id"))
        orders = self.env["sale.order"].browse(filter(None, order_ids))
        before = orders._policy_content_before()
        lines = super().create(vals_list)
        (orders | lines.order_id)._policy_enforce_content(before)
        return lines

    def write(self, vals):
        if is_policy_privileged():
            return super().write(vals)
        if "state" in vals:
            self._policy_refuse_state(vals["state"])
        orders = self.order_id
        if vals.get("order_id"):
            orders |= self.env["sale.order"].browse(vals["order_id"])
        before = orders._policy_content_before()
        res = super().write(vals)
        (orders | self.order_id)._policy_enforce_content(before)
        return res

    def _policy_refuse_state(self, state):
        """A line's state is its order's (a confirmed line reserves and delivers)."""
        wrong = self.filtered(lambda line: line.order_id.state != state)
        if any(order._policy_active() for order in wrong.order_id):
            raise UserError(
                self.env._(
                    "The lines of order %(order)s follow the order's state: confirm the order "
                    "itself once it is approved.",
                    order=", ".join(wrong.order_id.mapped("name")),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_policy_guard(self):
        """Removing an approved line is a change of content like any other."""
        if is_policy_privileged():
            return
        lines = self.filtered(lambda line: line._policy_is_approved_content())
        orders = lines.order_id._policy_watched()
        confirmed = orders.filtered(lambda o: o.state == "sale")
        if confirmed and not policy_system_cause():
            raise UserError(
                self.env._(
                    "Order %(order)s is confirmed: its lines are removed only through a change "
                    "request. Use “Request Change” on the order.",
                    order=", ".join(confirmed.mapped("name")),
                )
            )
        pending = orders.filtered(lambda o: o.approval_state == "pending" and o.state != "sale")
        if pending:
            raise UserError(
                self.env._(
                    "Order %(order)s is under review: its lines cannot be removed until the "
                    "reviewers decide.",
                    order=", ".join(pending.mapped("name")),
                )
            )
        approved = orders - confirmed - pending
        if approved:
            approved._policy_reset(
                self.env._(
                    "Approval reset: line removed after approval: %(lines)s",
                    lines=", ".join(
                        lines.filtered(lambda x: x.order_id in approved).mapped("name")
                    ),
                )
            )
