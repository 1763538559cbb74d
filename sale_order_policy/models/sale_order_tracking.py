import logging
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from ..tools.cron import trigger_cron_now

EXECUTION_STATUSES = [
    ("to_deliver", "To Deliver"),
    ("partially_delivered", "Partially Delivered"),
    ("delivered", "Delivered"),
    ("invoiced", "Invoiced"),
    ("paid", "Paid"),
    ("cancelled", "Cancelled"),
]
SETTLED_PAYMENT_STATES = ("paid", "in_payment", "reversed")
HANDOFF_CRON_XMLID = "sale_order_policy.ir_cron_sale_policy_hand_off"

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    """Order tracking (订单跟踪): milestones, execution status, hand-off (订单分发) and the
    abnormal orders (异常订单) of each confirmed order."""

    _inherit = "sale.order"

    policy_special_requirements = fields.Text(
        string="Special Requirements",
        help="The customer's special requirements (packaging, documents, delivery window...). "
        "They travel with the hand-off note to the delivery, manufacturing and purchase.",
    )
    policy_confirmed_on = fields.Datetime(
        string="Confirmed on", readonly=True, copy=False, groups="base.group_user"
    )
    # Set at confirmation; the hand-off cron (triggered then) clears it once the
    # departments have their notes and activities.
    policy_handoff_pending = fields.Boolean(
        string="Hand-off Pending",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_user",
    )
    policy_first_delivery_on = fields.Datetime(
        string="First Delivery on",
        compute="_compute_policy_delivery_milestones",
        store=True,
        copy=False,
    )
    policy_delivered_on = fields.Datetime(
        string="Delivered on",
        compute="_compute_policy_delivery_milestones",
        store=True,
        copy=False,
        index="btree_not_null",
    )
    policy_invoiced_on = fields.Datetime(
        string="Invoiced on",
        compute="_compute_policy_invoiced_on",
        store=True,
        copy=False,
        help="When the order became fully invoiced.",
    )
    policy_paid_on = fields.Datetime(
        string="Paid on",
        compute="_compute_policy_paid_on",
        store=True,
        copy=False,
        help="When every invoice of the fully invoiced order was settled.",
    )
    execution_status = fields.Selection(
        EXECUTION_STATUSES,
        string="Execution",
        compute="_compute_execution_status",
        store=True,
        index=True,
        copy=False,
    )
    policy_on_time = fields.Boolean(
        string="Delivered on Time",
        compute="_compute_policy_on_time",
        store=True,
        copy=False,
        help="Fully delivered by the committed delivery date.",
    )
    policy_delivery_delay_days = fields.Float(
        string="Delivery Delay (days)",
        compute="_compute_policy_on_time",
        store=True,
        copy=False,
        digits=(16, 1),
        help="Days between the committed date and the full delivery; 0 when on time.",
    )
    policy_late = fields.Boolean(
        string="Late",
        compute="_compute_policy_late",
        search="_search_policy_late",
        help="Past the committed date and not fully delivered, or delivered after it.",
    )
    policy_at_risk = fields.Boolean(
        string="At Risk",
        compute="_compute_policy_late",
        search="_search_policy_at_risk",
        help="Due within the company's at-risk days and the delivery is not ready.",
    )
    policy_exception_ids = fields.One2many(
        "sale.policy.exception", "order_id", string="Exceptions", copy=False, prefetch=False
    )
    policy_exception_count = fields.Integer(
        string="Open Exceptions",
        compute="_compute_policy_exception_count",
        groups="base.group_user",
    )
    policy_exception_blocking = fields.Boolean(
        compute="_compute_policy_exception_count", groups="base.group_user"
    )
    policy_exception_summary = fields.Char(
        compute="_compute_policy_exception_count", groups="base.group_user"
    )

    @api.depends("state", "delivery_status", "picking_ids.state", "picking_ids.date_done")
    def _compute_policy_delivery_milestones(self):
        for order in self:
            done = order.picking_ids.filtered(
                lambda p: p.state == "done"
                and p.date_done
                and p.picking_type_id.code == "outgoing"
                and p.location_dest_id.usage == "customer"
            )
            dates = done.mapped("date_done")
            order.policy_first_delivery_on = min(dates) if dates else False
            order.policy_delivered_on = (
                max(dates) if dates and order.delivery_status == "full" else False
            )

    @api.depends("invoice_status")
    def _compute_policy_invoiced_on(self):
        now = fields.Datetime.now()
        for order in self:
            if order.invoice_status == "invoiced":
                order.policy_invoiced_on = order.policy_invoiced_on or now
            else:
                order.policy_invoiced_on = False

    @api.depends(
        "invoice_status",
        "order_line.invoice_lines.move_id.payment_state",
        "order_line.invoice_lines.move_id.state",
    )
    def _compute_policy_paid_on(self):
        now = fields.Datetime.now()
        for order in self:
            if order.invoice_status != "invoiced":
                # Not fully invoiced yet: nothing to read (e.g. at confirmation).
                order.policy_paid_on = False
                continue
            invoices = order.order_line.invoice_lines.move_id.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            )
            settled = invoices and all(m.payment_state in SETTLED_PAYMENT_STATES for m in invoices)
            order.policy_paid_on = (order.policy_paid_on or now) if settled else False

    @api.depends("state", "delivery_status", "picking_ids", "policy_invoiced_on", "policy_paid_on")
    def _compute_execution_status(self):
        for order in self:
            if order.state == "cancel":
                order.execution_status = "cancelled"
            elif order.state != "sale":
                order.execution_status = False
            elif order.delivery_status in ("pending", "started"):
                order.execution_status = "to_deliver"
            elif order.delivery_status == "partial":
                order.execution_status = "partially_delivered"
            elif order.policy_paid_on:
                order.execution_status = "paid"
            elif order.policy_invoiced_on:
                order.execution_status = "invoiced"
            elif order.delivery_status == "full":
                order.execution_status = "delivered"
            else:
                # Nothing to ship (services): tracked from invoicing on.
                order.execution_status = "to_deliver"

    @api.depends("policy_delivered_on", "commitment_date")
    def _compute_policy_on_time(self):
        for order in self:
            delivered, promised = order.policy_delivered_on, order.commitment_date
            if not delivered:
                order.policy_on_time = False
                order.policy_delivery_delay_days = 0.0
                continue
            late = (delivered - promised).total_seconds() / 86400.0 if promised else 0.0
            order.policy_on_time = late <= 0
            order.policy_delivery_delay_days = round(max(late, 0.0), 1)

    @api.depends("commitment_date", "policy_delivered_on", "state", "picking_ids.state")
    def _compute_policy_late(self):
        now = fields.Datetime.now()
        for order in self:
            promised = order.commitment_date
            undelivered = order.state == "sale" and order.delivery_status in (
                "pending",
                "started",
                "partial",
            )
            order.policy_late = bool(
                promised
                and (
                    (undelivered and promised < now)
                    or (order.policy_delivered_on and order.policy_delivered_on > promised)
                )
            )
            horizon = now + timedelta(days=order.company_id.sale_policy_at_risk_days)
            order.policy_at_risk = bool(
                promised
                and undelivered
                and now <= promised <= horizon
                and any(p.state in ("draft", "waiting", "confirmed") for p in order.picking_ids)
            )

    def _search_policy_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Late."))
        now = fields.Datetime.now()
        domain = [
            ("commitment_date", "!=", False),
            "|",
            "&",
            "&",
            ("state", "=", "sale"),
            ("delivery_status", "in", ("pending", "started", "partial")),
            ("commitment_date", "<", now),
            "&",
            ("policy_delivered_on", "!=", False),
            ("policy_on_time", "=", False),
        ]
        return domain if (operator == "=") == value else ["!", *domain]

    def _search_policy_at_risk(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on At Risk."))
        now = fields.Datetime.now()
        by_company = [
            [
                ("company_id", "=", company.id),
                ("commitment_date", "<=", now + timedelta(days=company.sale_policy_at_risk_days)),
            ]
            for company in self.env.companies
        ]
        domain = expression.AND(
            [
                [
                    ("state", "=", "sale"),
                    ("delivery_status", "in", ("pending", "started", "partial")),
                    ("commitment_date", ">=", now),
                    ("picking_ids.state", "in", ("draft", "waiting", "confirmed")),
                ],
                expression.OR(by_company),
            ]
        )
        return domain if (operator == "=") == value else ["!", *domain]

    @api.depends("policy_exception_ids.state", "policy_exception_ids.blocking")
    def _compute_policy_exception_count(self):
        Exc = self.env["sale.policy.exception"].sudo()
        groups = Exc._read_group(
            [("order_id", "in", self.ids), ("state", "in", ("open", "in_progress"))],
            ["order_id"],
            ["__count", "type_id:array_agg"],
        )
        blocking = {
            order.id
            for [order] in Exc._read_group(
                [("order_id", "in", self.ids), ("currently_blocking", "=", True)], ["order_id"]
            )
        }
        counts = {order.id: (count, type_ids) for order, count, type_ids in groups}
        types = self.env["sale.policy.exception.type"].sudo()
        for order in self:
            count, type_ids = counts.get(order.id, (0, []))
            order.policy_exception_count = count
            order.policy_exception_blocking = order.id in blocking
            order.policy_exception_summary = (
                ", ".join(types.browse(sorted(set(type_ids))).mapped("name")) if count else False
            )

    # ------------------------------------------------------------------
    # Confirmation: milestone, hand-off, credit detection
    # ------------------------------------------------------------------

    def _prepare_confirmation_values(self):
        # Stamped in the same UPDATE that confirms the order.
        return {
            **super()._prepare_confirmation_values(),
            "policy_confirmed_on": fields.Datetime.now(),
            "policy_handoff_pending": True,
        }

    def _action_confirm(self):
        res = super()._action_confirm()
        # The hand-off (订单分发) follows right after commit: the confirmation, which locks
        # stock, does not also build the departments' notes and activities. The credit
        # check ran at review; later overruns are detected by the cron and on payments.
        if any(order._policy_active() for order in self):
            trigger_cron_now(self.env, HANDOFF_CRON_XMLID)
        return res

    @api.model
    def _cron_policy_hand_off(self, batch_size=100):
        """Hand the orders confirmed since the last run off to their departments, on behalf
        of whoever confirmed each one (the confirmation line of the policy log)."""
        orders = self.sudo().search(
            [("policy_handoff_pending", "=", True)], order="id", limit=batch_size
        )
        confirmers = {
            log.order_id.id: log.user_id
            for log in self.env["sale.policy.log"]
            .sudo()
            .search([("order_id", "in", orders.ids), ("event", "=", "confirm")], order="id")
        }
        retry = self.browse()
        for order in orders.filtered(lambda o: o._policy_active() and o.state == "sale"):
            user = confirmers.get(order.id) or order.user_id or self.env.user
            try:
                with self.env.cr.savepoint():
                    order.with_user(user).sudo()._policy_hand_off()
            except Exception as error:
                # Locked by a user's transaction (its delivery, its order): next run.
                if getattr(error, "pgcode", None) in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    retry |= order
                    continue
                _logger.exception("Order policy: could not hand %s off", order.name)
        (orders - retry).write({"policy_handoff_pending": False})
        if retry:
            cron_id = self.env["ir.model.data"]._xmlid_to_res_id(HANDOFF_CRON_XMLID)
            self.env["ir.cron"].sudo().browse(cron_id)._trigger(
                fields.Datetime.now() + timedelta(minutes=1)
            )
        # Odoo's cron runner calls the job again while some remain.
        self.env["ir.cron"]._notify_progress(
            done=len(orders),
            remaining=self.sudo().search_count([("policy_handoff_pending", "=", True)]),
        )

    def _action_cancel(self):
        res = super()._action_cancel()
        Exc = self.env["sale.policy.exception"]
        open_exc = Exc.sudo().search(
            [("order_id", "in", self.ids), ("state", "in", ("open", "in_progress"))]
        )
        if open_exc:
            open_exc._policy_close_with_note(self.env._("The order was cancelled."), "cancelled")
        return res

    def _policy_hand_off_note(self):
        """Plain text the receiving department needs (分发单)."""
        self.ensure_one()
        commitment = (
            fields.Datetime.context_timestamp(self, self.commitment_date).strftime("%Y-%m-%d %H:%M")
            if self.commitment_date
            else self.env._("not committed")
        )
        lines = [
            self.env._(
                "Sales order %(order)s for %(customer)s",
                order=self.name,
                customer=self.partner_id.display_name,
            ),
            self.env._("Committed delivery date: %(date)s", date=commitment),
            self.env._("Salesperson: %(user)s", user=self.user_id.name or "-"),
        ]
        if self.policy_special_requirements:
            lines.append(
                self.env._(
                    "Special requirements: %(requirements)s",
                    requirements=self.policy_special_requirements,
                )
            )
        return "\n".join(lines)

    def _policy_hand_off_documents(self):
        """Documents Odoo created for the order, by department: deliveries, and the
        manufacturing / purchase orders when those apps are installed."""
        self.ensure_one()
        docs = [("warehouse", self.picking_ids.filtered(lambda p: p.state != "cancel"))]
        if "mrp.production" in self.env and "mrp_production_ids" in self._fields:
            docs.append(("production", self.sudo().mrp_production_ids))
        if "purchase.order" in self.env and hasattr(self, "_get_purchase_orders"):
            docs.append(("purchase", self.sudo()._get_purchase_orders()))
        return [(dept, records) for dept, records in docs if records]

    def _policy_hand_off(self):
        if not self:
            return
        activity_type_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "sale_order_policy.mail_activity_type_policy_handoff"
        )
        activity_vals = []
        for order in self:
            note = order._policy_hand_off_note()
            body = Markup("<p><b>%s</b></p><p>%s</p>") % (
                self.env._("Hand-off (订单分发)"),
                Markup("<br/>").join(escape(line) for line in note.split("\n")),
            )
            for department, records in order._policy_hand_off_documents():
                if department == "warehouse":
                    # Deliveries carry the note in a field shown on the transfer.
                    records.sudo().write({"policy_handoff_note": note})
                for record in records.sudo():
                    if department != "warehouse":
                        record.message_post(body=body, subtype_xmlid="mail.mt_note")
                    user = order._policy_hand_off_user(department, record)
                    if user:
                        activity_vals.append(
                            {
                                "res_model_id": self.env["ir.model"]._get_id(record._name),
                                "res_id": record.id,
                                "activity_type_id": activity_type_id,
                                "automated": True,
                                "user_id": user.id,
                                "date_deadline": order._policy_hand_off_due(record),
                                "summary": self.env._("Prepare %(order)s", order=order.name),
                                "note": body,
                            }
                        )
        if activity_vals:
            self.env["mail.activity"].sudo()._policy_create_deferred(activity_vals)

    def _policy_hand_off_due(self, record):
        """The day the department must act: the document's planned date, else today."""
        self.ensure_one()
        for fname in ("scheduled_date", "date_start", "date_planned"):
            planned = record[fname] if fname in record._fields else False
            if planned:
                return fields.Datetime.context_timestamp(self, planned).date()
        return fields.Date.context_today(self)

    def _policy_hand_off_user(self, department, record):
        """The responsible department's user: the document's responsible, else the
        company's hand-off contact for the warehouse, else the salesperson."""
        self.ensure_one()
        responsible = record.user_id if "user_id" in record._fields else False
        if responsible:
            return responsible
        if department == "warehouse" and self.company_id.sale_policy_handoff_user_id:
            return self.company_id.sale_policy_handoff_user_id
        return self.user_id

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_policy_raise_exception(self):
        self.ensure_one()
        if self.state != "sale":
            raise UserError(
                self.env._(
                    "Exceptions are raised on confirmed orders; %(order)s is not confirmed.",
                    order=self.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Raise Exception"),
            "res_model": "sale.policy.exception",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_order_id": self.id},
        }

    def action_policy_view_exceptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sale_order_policy.sale_policy_exception_action"
        )
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {"default_order_id": self.id, "search_default_open": 1}
        return action
