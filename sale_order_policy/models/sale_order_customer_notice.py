from odoo import api, fields, models
from odoo.exceptions import UserError

from .mail_composer_action import mail_composer_action
from .sale_policy_protected_mixin import policy_privileged
from .stock_picking_shipping_notice import format_quantity

CONFIRMATION_TEMPLATE = "sale_order_policy.mail_template_policy_order_confirmation"
LAYOUT = "mail.mail_notification_layout_with_responsible_signature"


class SaleOrder(models.Model):
    """Order confirmation to the customer (订单确认): after approval the approved lines go
    back to the customer with the promised and the expected shipping dates."""

    _inherit = "sale.order"

    policy_confirmation_sent_on = fields.Datetime(
        string="Order Confirmation Sent on",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    policy_can_send_confirmation = fields.Boolean(
        string="Can Send Order Confirmation", compute="_compute_policy_can_send_confirmation"
    )

    @api.depends("approval_state", "state", "policy_enabled")
    def _compute_policy_can_send_confirmation(self):
        for order in self:
            order.policy_can_send_confirmation = order._policy_confirmation_allowed()

    @api.model
    def _policy_engine_fields(self):
        return super()._policy_engine_fields() | {"policy_confirmation_sent_on"}

    def _policy_confirmation_allowed(self):
        self.ensure_one()
        return bool(
            self.policy_enabled
            and (
                self.state == "sale"
                or (self.state in ("draft", "sent") and self.approval_state == "approved")
            )
        )

    def _policy_expected_shipping_date(self):
        """The earliest scheduled date of the open deliveries, else the order's expected
        date (before confirmation there is no delivery yet)."""
        self.ensure_one()
        dates = self.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        ).mapped("scheduled_date")
        return min(dates) if dates else self.expected_date

    def _policy_confirmation_lines(self):
        """Approved product lines, in the order's sequence (sections and notes left out)."""
        self.ensure_one()
        return self.order_line.filtered(lambda line: not line.display_type)

    def _policy_format_qty(self, qty, uom):
        return format_quantity(self.env, qty, uom)

    def _policy_confirmation_due(self):
        """Orders to notify automatically: option on, not sent since the last approval."""
        return self.filtered(
            lambda o: o.company_id.sale_policy_notify_confirmation
            and o._policy_confirmation_allowed()
            and o.partner_id.email
            and not (
                o.policy_confirmation_sent_on
                and o.policy_approved_on
                and o.policy_confirmation_sent_on >= o.policy_approved_on
            )
        )

    def _policy_on_approved(self, reason=None):
        res = super()._policy_on_approved(reason=reason)
        self.sudo()._policy_confirmation_due()._policy_send_confirmation_notice()
        return res

    def _action_confirm(self):
        res = super()._action_confirm()
        self.sudo()._policy_confirmation_due()._policy_send_confirmation_notice()
        return res

    def action_policy_send_confirmation(self):
        """Open the composer prefilled with the order confirmation (one click)."""
        self.ensure_one()
        if not self._policy_confirmation_allowed():
            raise UserError(
                self.env._(
                    "Order %(order)s is not approved yet: the order confirmation goes to the "
                    "customer after approval.",
                    order=self.name,
                )
            )
        return mail_composer_action(
            self,
            self.env.ref(CONFIRMATION_TEMPLATE),
            self.env._("Send Order Confirmation"),
            default_email_layout_xmlid=LAYOUT,
            policy_confirmation_notice=True,
        )

    def _policy_send_confirmation_notice(self):
        """Queue the order confirmation to each customer (mail queue, not sent inline)."""
        template = self.env.ref(CONFIRMATION_TEMPLATE)
        for order in self:
            order.with_context(policy_confirmation_notice=True).message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                message_type="comment",
                email_layout_xmlid=LAYOUT,
                author_id=(order.user_id.partner_id or self.env.user.partner_id).id,
                force_send=False,
            )

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        if self.env.context.get("policy_confirmation_notice") and message.partner_ids:
            self._policy_mark_confirmation_sent()
        return message

    def _policy_mark_confirmation_sent(self):
        """The message itself, in the chatter, is the record of what the customer got."""
        with policy_privileged():
            self.sudo().write({"policy_confirmation_sent_on": fields.Datetime.now()})
