from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, float_is_zero, formatLang

from .sale_policy_protected_mixin import policy_engine_defaults

SHIPPING_TEMPLATE = "sale_order_policy.mail_template_policy_shipping_notice"


def format_quantity(env, qty, uom):
    """A quantity as the customer reads it: 700 件, 2.5 kg (no useless decimals)."""
    digits = 0
    if not float_is_zero(qty % 1, precision_digits=6):
        digits = max(0, len(f"{uom.rounding:f}".rstrip("0").split(".")[1]))
    return f"{formatLang(env, qty, digits=digits)} {uom.name or ''}".strip()


class StockPicking(models.Model):
    """Shipping notice (发货通知): once per validated delivery of a policy order, the
    customer learns what left, what is still to come and how to follow the parcel."""

    _inherit = "stock.picking"

    policy_tracking_ref = fields.Char(
        string="Shipment Tracking Reference",
        copy=False,
        help="Waybill number given to the customer in the shipping notice (used when the "
        "delivery has no carrier tracking reference).",
    )
    policy_expected_arrival = fields.Datetime(
        string="Expected Arrival",
        copy=False,
        help="When the customer should receive the goods; told in the shipping notice.",
    )
    policy_shipping_notified_on = fields.Datetime(
        string="Shipping Notice Sent on", readonly=True, copy=False
    )

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        return policy_engine_defaults(self, defaults, ["policy_shipping_notified_on"])

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("policy_shipping_notified_on") for vals in vals_list):
            self._policy_refuse_shipping_stamp()
        return super().create(vals_list)

    def write(self, vals):
        # Stamped only by the notice itself, in SQL (_policy_claim_shipping_notice).
        if "policy_shipping_notified_on" in vals:
            self._policy_refuse_shipping_stamp()
        return super().write(vals)

    def _policy_refuse_shipping_stamp(self):
        raise UserError(self.env._("The shipping notice date is recorded when the notice is sent."))

    def _action_done(self):
        res = super()._action_done()
        self._policy_send_shipping_notice()
        return res

    def _policy_shipping_notice_candidates(self):
        return self.filtered(
            lambda p: p.state == "done"
            and p.picking_type_code == "outgoing"
            and p.sale_id
            and p.company_id.sale_policy_enabled
            and p.company_id.sale_policy_notify_shipping
            and not p.policy_shipping_notified_on
            and p._policy_shipping_recipient().email
        )

    def _policy_claim_shipping_notice(self):
        """Stamp the pickings not notified yet and return them. The stamp is written in
        the same transaction as the queued e-mail: a retried transaction or a second
        validation finds it and sends nothing; a concurrent one waits on the row lock."""
        if not self:
            return self
        self.env.cr.execute(
            SQL(
                """
                UPDATE stock_picking
                   SET policy_shipping_notified_on = %(now)s
                 WHERE id = ANY(%(ids)s) AND policy_shipping_notified_on IS NULL
             RETURNING id
                """,
                now=fields.Datetime.now(),
                ids=self.ids,
            )
        )
        claimed = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_recordset(["policy_shipping_notified_on"])
        return self.browse(claimed)

    def _policy_send_shipping_notice(self):
        pickings = self.sudo()._policy_shipping_notice_candidates()._policy_claim_shipping_notice()
        template = self.env.ref(SHIPPING_TEMPLATE)
        # Whoever validates (a warehouse user may not read sales orders), the notice
        # lists the order's lines: rendered as superuser, authored by the salesperson.
        for picking in pickings:
            picking.message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                message_type="comment",
                author_id=(picking.sale_id.user_id.partner_id or self.env.user.partner_id).id,
                force_send=False,
            )
        return pickings

    # ------------------------------------------------------------------
    # Values read by the shipping notice template
    # ------------------------------------------------------------------

    def _policy_shipping_recipient(self):
        """The delivery contact when it has an e-mail address, else the customer."""
        self.ensure_one()
        return self.partner_id if self.partner_id.email else self.sale_id.partner_id

    def _policy_shipped_moves(self):
        self.ensure_one()
        return self.move_ids.filtered(lambda m: m.state == "done" and m.quantity)

    def _policy_remaining_lines(self):
        """(order line, quantity still to deliver) of the order after this delivery."""
        self.ensure_one()
        lines = self.sale_id.order_line.filtered(
            lambda line: not line.display_type and line.product_id.type == "consu"
        )
        remaining = []
        for line in lines:
            left = line.product_uom_qty - line.qty_delivered
            if float_compare(left, 0, precision_rounding=line.product_uom.rounding) > 0:
                remaining.append((line, left))
        return remaining

    def _policy_is_partial_delivery(self):
        self.ensure_one()
        return bool(self.backorder_ids or self._policy_remaining_lines())

    def _policy_format_qty(self, qty, uom):
        return format_quantity(self.env, qty, uom)

    def _policy_carrier_name(self):
        self.ensure_one()
        return self["carrier_id"].name if "carrier_id" in self._fields else False

    def _policy_tracking_reference(self):
        self.ensure_one()
        if "carrier_tracking_ref" in self._fields and self["carrier_tracking_ref"]:
            return self["carrier_tracking_ref"]
        return self.policy_tracking_ref

    def _policy_carrier_delay_days(self):
        """Transit days of the carrier, when a carrier module knows them (hook)."""
        self.ensure_one()
        return 0

    def _policy_expected_arrival_date(self):
        self.ensure_one()
        if self.policy_expected_arrival:
            return self.policy_expected_arrival
        delay = self._policy_carrier_delay_days()
        if delay:
            return (self.date_done or self.scheduled_date) + timedelta(days=delay)
        return False
