from odoo import api, fields, models
from odoo.exceptions import UserError

from .sale_policy_protected_mixin import (
    is_policy_privileged,
    policy_privileged,
    policy_system_cause,
)


class SaleOrder(models.Model):
    """Change and cancellation control of approved and confirmed orders (订单变更 / 取消)."""

    _inherit = "sale.order"

    policy_revision = fields.Integer(
        string="Revision",
        readonly=True,
        copy=False,
        help="Number of approved changes applied since confirmation (Rev. N).",
        groups="base.group_user",
    )
    policy_change_ids = fields.One2many(
        "sale.policy.change", "order_id", string="Change Requests", copy=False, prefetch=False
    )
    policy_revision_ids = fields.One2many(
        "sale.policy.revision", "order_id", string="Revisions", copy=False, prefetch=False
    )
    policy_change_count = fields.Integer(compute="_compute_policy_change_count")
    policy_open_change_id = fields.Many2one(
        "sale.policy.change", string="Open Request", compute="_compute_policy_change_count"
    )
    policy_cancel_reason_id = fields.Many2one(
        "sale.policy.cancel.reason",
        string="Cancellation Reason",
        readonly=True,
        copy=False,
        index=True,
        groups="base.group_user",
    )

    @api.depends("policy_change_ids.state")
    def _compute_policy_change_count(self):
        for order in self:
            changes = order.policy_change_ids
            order.policy_change_count = len(changes)
            order.policy_open_change_id = changes.filtered(
                lambda c: c.state in ("pending", "approved")
            )[:1]

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------

    @api.model
    def _policy_engine_fields(self):
        return super()._policy_engine_fields() | {"policy_revision", "policy_cancel_reason_id"}

    def write(self, vals):
        if is_policy_privileged():
            return super().write(vals)
        if vals.get("state") == "cancel":
            self._policy_guard_cancel()
            self._policy_withdraw_from_review()
        if vals.get("state") in ("draft", "sent"):
            confirmed = self.filtered(lambda o: o.state == "sale" and o._policy_active())
            if confirmed:
                raise UserError(
                    self.env._(
                        "Order %(order)s is confirmed: it goes back to quotation only through "
                        "an approved cancellation request.",
                        order=", ".join(confirmed.mapped("name")),
                    )
                )
        cancelled = self.filtered(lambda o: o.state == "cancel")
        res = super().write(vals)
        # Back from cancelled: whatever was approved before goes through review again.
        reopened = cancelled.filtered(
            lambda o: o.state in ("draft", "sent") and o.approval_state != "draft"
        )
        if reopened:
            reopened._policy_reset(self.env._("Approval reset: the order was cancelled."))
        return res

    def action_cancel(self):
        policy_orders = self.filtered(lambda o: o._policy_active() and o.state != "cancel")
        if not policy_orders or is_policy_privileged():
            return super().action_cancel()
        if len(self) > 1:
            raise UserError(
                self.env._(
                    "Cancel orders one at a time: the sales order policy records a reason for "
                    "each cancellation."
                )
            )
        return self.action_policy_request_cancel()

    def _action_cancel(self):
        if not is_policy_privileged():
            self._policy_guard_cancel()
            self._policy_withdraw_from_review()
            res = super()._action_cancel()
            cause = policy_system_cause()
            for order in self.filtered(lambda o: o._policy_active()):
                self.env["sale.policy.log"]._policy_add(
                    order, "cancel", comment=cause and self.env._("By %(cause)s", cause=cause)
                )
            return res
        return super()._action_cancel()

    def _policy_confirmed_change_refusal(self, changes):
        return self.env._(
            "Order %(order)s is confirmed: what was approved changes only through a "
            "change request. Use “Request Change” on the order.\n%(changes)s",
            order=self.name,
            changes="\n".join(changes),
        )

    def _policy_cancel_needs_approval(self):
        """Approved and confirmed orders are cancelled only through an approved request."""
        self.ensure_one()
        return self._policy_active() and (
            self.state == "sale"
            or (self.state in ("draft", "sent") and self.approval_state == "approved")
        )

    def _policy_withdraw_from_review(self):
        """A quotation cancelled while under review: its open reviews are cancelled and
        it goes back to not submitted."""
        pending = self.filtered(
            lambda o: o._policy_active() and o.state != "cancel" and o.approval_state == "pending"
        )
        if not pending:
            return
        with policy_privileged():
            reviews = pending.sudo().policy_review_ids.filtered(
                lambda r: r.state in ("waiting", "pending") and r.res_model == self._name
            )
            reviews.activity_ids.exists().unlink()
            reviews.write({"state": "cancelled"})
            pending.write({"approval_state": "draft"})
            self.env["sale.policy.log"]._policy_add_many(
                [
                    {
                        "order": order,
                        "event": "reset",
                        "comment": self.env._("Cancelled while under review: reviews cancelled."),
                    }
                    for order in pending
                ]
            )

    def _policy_guard_cancel(self):
        for order in self:
            # A customer declining an approved quotation on the portal is not refused.
            if policy_system_cause() and order.state in ("draft", "sent"):
                continue
            if order._policy_cancel_needs_approval():
                raise UserError(
                    self.env._(
                        "Order %(order)s is approved or confirmed: it can only be cancelled "
                        "through an approved cancellation request. Use “Request Cancellation” "
                        "on the order.",
                        order=order.name,
                    )
                )

    def _policy_check_cancellable(self):
        """Refuse when goods left or an invoice is posted: those need a return or credit note."""
        self.ensure_one()
        delivered = self.order_line.filtered(lambda line: line.qty_delivered > 0)
        done_pickings = self.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        if delivered or done_pickings:
            raise UserError(
                self.env._(
                    "Order %(order)s cannot be cancelled: goods were already delivered "
                    "(%(what)s). Return them first with “Return” on the delivery order, issue "
                    "a credit note for anything invoiced, then request a change of the "
                    "remaining quantities instead of a cancellation.",
                    order=self.name,
                    what=", ".join(
                        done_pickings.mapped("name") or delivered.product_id.mapped("display_name")
                    ),
                )
            )
        posted = self.invoice_ids.filtered(
            lambda inv: inv.state == "posted"
            and inv.move_type == "out_invoice"
            and inv.payment_state != "reversed"
        )
        if posted:
            raise UserError(
                self.env._(
                    "Order %(order)s cannot be cancelled: invoice %(invoices)s is posted. "
                    "Issue a credit note (“Credit Note” on the invoice) to reverse it, then "
                    "request the cancellation again.",
                    order=self.name,
                    invoices=", ".join(posted.mapped("name")),
                )
            )

    def _policy_do_cancel(self, change):
        """Cancel through Odoo (open pickings and draft invoices follow); engine only."""
        self.ensure_one()
        with policy_privileged():
            open_reviews = (
                self.sudo()._policy_reviews().filtered(lambda r: r.state in ("waiting", "pending"))
            )
            for review in open_reviews:
                review.activity_ids.sudo().exists().unlink()
            open_reviews.write({"state": "cancelled"})
            self.with_context(disable_cancel_warning=True)._action_cancel()
            # A cancelled order set back to quotation goes through review again.
            self.write(
                {"approval_state": "draft", "policy_cancel_reason_id": change.cancel_reason_id.id}
            )
            change._policy_log("cancel", comment=change._policy_log_summary())
        self.sudo().message_post(
            body=self.env._(
                "Cancelled (%(name)s): %(reason)s",
                name=change.name,
                reason=change._policy_log_summary(),
            ),
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_policy_request_change(self):
        self.ensure_one()
        self.check_access("write")
        if not self._policy_active() or self.state != "sale":
            raise UserError(
                self.env._(
                    "Change requests are for confirmed orders; edit quotation %(order)s directly.",
                    order=self.name,
                )
            )
        change = self.policy_change_ids.filtered(
            lambda c: c.state == "draft"
            and c.change_type == "amend"
            and c.create_uid == self.env.user
        )[:1]
        if not change:
            change = self.env["sale.policy.change"].create(
                {"order_id": self.id, "change_type": "amend"}
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request Change"),
            "res_model": "sale.policy.change",
            "res_id": change.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_policy_request_cancel(self):
        self.ensure_one()
        self.check_access("write")
        needs_approval = self._policy_cancel_needs_approval()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request Cancellation")
            if needs_approval
            else self.env._("Cancel Quotation"),
            "res_model": "sale.policy.change",
            "view_mode": "form",
            "views": [
                [self.env.ref("sale_order_policy.sale_policy_change_view_form_cancel").id, "form"]
            ],
            "target": "new",
            "context": {
                "default_order_id": self.id,
                "default_change_type": "cancel",
                "sale_policy_change_dialog": True,
                "sale_policy_cancel_needs_approval": needs_approval,
            },
        }

    def action_policy_view_changes(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Requests"),
            "res_model": "sale.policy.change",
            "view_mode": "list,form",
            "domain": [("order_id", "=", self.id)],
            "context": {"default_order_id": self.id},
        }
