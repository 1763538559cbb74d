from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .sale_policy_exception_type import SEVERITIES
from .sale_policy_protected_mixin import is_policy_privileged, policy_privileged

EXCEPTION_STATES = [
    ("open", "Open"),
    ("in_progress", "In Progress"),
    ("resolved", "Resolved"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("open", "in_progress")
# Fields that only change through the actions (raise, start, resolve, cancel, override).
ENGINE_FIELDS = frozenset(
    {
        "state",
        "resolved_on",
        "resolved_by_id",
        "auto_resolved",
        "escalated_on",
        "override_reason",
        "overridden_by_id",
        "overridden_on",
        "origin",
    }
)
# Set when the exception is raised, never changed afterwards (nobody unblocks an order by
# editing the exception: a sales manager overrides, with a reason).
FIXED_FIELDS = frozenset({"order_id", "type_id", "blocking", "block_delivery", "block_invoice"})
# What the handlers edit while the exception is open; frozen once it is closed.
HANDLING_FIELDS = frozenset(
    {"description", "severity", "user_id", "deadline", "resolution", "picking_id", "invoice_id"}
)


class SalePolicyException(models.Model):
    """An abnormal order (异常订单) and its handling: owner, deadline, customer
    communication (客户沟通, in the chatter) and the recorded outcome."""

    _name = "sale.policy.exception"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Sales Order Exception"
    _order = "state_sequence, deadline, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "order_id"]

    name = fields.Char(compute="_compute_name", store=True)
    order_id = fields.Many2one(
        "sale.order",
        string="Order",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer", store=True)
    salesperson_id = fields.Many2one(
        related="order_id.user_id", string="Salesperson", store=True, index=True
    )
    team_id = fields.Many2one(related="order_id.team_id", string="Sales Team", store=True)
    type_id = fields.Many2one(
        "sale.policy.exception.type",
        string="Type",
        required=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    code = fields.Char(related="type_id.code", store=True, index=True)
    description = fields.Text(required=True)
    severity = fields.Selection(SEVERITIES, required=True, default="medium", tracking=True)
    state = fields.Selection(
        EXCEPTION_STATES,
        required=True,
        default="open",
        index=True,
        tracking=True,
        copy=False,
        group_expand=True,
    )
    state_sequence = fields.Integer(compute="_compute_state_sequence", store=True)
    user_id = fields.Many2one(
        "res.users", string="Owner", index=True, tracking=True, check_company=True
    )
    deadline = fields.Datetime(index=True, tracking=True)
    overdue = fields.Boolean(compute="_compute_overdue", search="_search_overdue")
    resolution = fields.Text(tracking=True, help="Outcome recorded when resolving (处理结果).")
    blocking = fields.Boolean(tracking=True)
    block_delivery = fields.Boolean(string="Blocks Delivery Validation")
    block_invoice = fields.Boolean(string="Blocks Invoice Posting")
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", index="btree_not_null", check_company=True
    )
    invoice_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index="btree_not_null",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund'))]",
    )
    order_invoice_ids = fields.Many2many(related="order_id.invoice_ids", string="Order Invoices")
    origin = fields.Selection(
        [("manual", "Raised by a User"), ("auto", "Detected Automatically")],
        required=True,
        default="manual",
        readonly=True,
    )
    raised_on = fields.Datetime(default=fields.Datetime.now, readonly=True)
    resolved_on = fields.Datetime(readonly=True, copy=False)
    resolved_by_id = fields.Many2one("res.users", string="Resolved by", readonly=True)
    auto_resolved = fields.Boolean(readonly=True, copy=False)
    escalated_on = fields.Datetime(readonly=True, copy=False)
    override_reason = fields.Text(readonly=True, copy=False)
    overridden_by_id = fields.Many2one("res.users", string="Overridden by", readonly=True)
    overridden_on = fields.Datetime(readonly=True, copy=False)
    currently_blocking = fields.Boolean(
        compute="_compute_currently_blocking",
        search="_search_currently_blocking",
        help="Open, blocking and not overridden.",
    )
    can_resolve = fields.Boolean(compute="_compute_can_resolve")

    def init(self):
        # Never a second open exception of the same type on the same order, even when two
        # transactions detect it at the same time.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS sale_policy_exception_open_unique "
                "ON sale_policy_exception (order_id, type_id) "
                "WHERE state IN ('open', 'in_progress')"
            )
        )
        create_index(
            self.env.cr,
            "sale_policy_exception_open_code_idx",
            self._table,
            ["code", "order_id"],
            where="state IN ('open', 'in_progress')",
        )

    @api.depends("type_id.name", "order_id.name")
    def _compute_name(self):
        for exc in self:
            exc.name = f"{exc.order_id.name or ''} · {exc.type_id.name or ''}".strip(" ·")

    @api.depends("state")
    def _compute_state_sequence(self):
        rank = {"open": 1, "in_progress": 2, "resolved": 3, "cancelled": 4}
        for exc in self:
            exc.state_sequence = rank.get(exc.state, 9)

    @api.depends("deadline", "state")
    def _compute_overdue(self):
        now = fields.Datetime.now()
        for exc in self:
            exc.overdue = bool(exc.state in OPEN_STATES and exc.deadline and exc.deadline < now)

    def _search_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Overdue."))
        domain = [("state", "in", OPEN_STATES), ("deadline", "<", fields.Datetime.now())]
        return domain if (operator == "=") == value else ["!", *domain]

    @api.depends("state", "blocking", "overridden_on")
    def _compute_currently_blocking(self):
        for exc in self:
            exc.currently_blocking = (
                exc.state in OPEN_STATES and exc.blocking and not exc.overridden_on
            )

    def _search_currently_blocking(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Blocking."))
        domain = [
            ("state", "in", OPEN_STATES),
            ("blocking", "=", True),
            ("overridden_on", "=", False),
        ]
        return domain if (operator == "=") == value else ["!", *domain]

    @api.depends_context("uid")
    @api.depends("user_id", "salesperson_id", "team_id.user_id", "state")
    def _compute_can_resolve(self):
        for exc in self:
            exc.can_resolve = exc.state in OPEN_STATES and exc._policy_user_can_handle()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.onchange("type_id")
    def _onchange_type_id(self):
        if self.type_id:
            self.severity = self.type_id.severity
            self.blocking = self.type_id.blocking

    @api.model_create_multi
    def create(self, vals_list):
        Type = self.env["sale.policy.exception.type"]
        Order = self.env["sale.order"]
        for vals in vals_list:
            if not is_policy_privileged():
                # Raised by hand: state and origin are not the user's to choose.
                vals["state"] = "open"
                vals["origin"] = "manual"
                for fname in ENGINE_FIELDS - {"state", "origin"}:
                    vals.pop(fname, None)
            exc_type = Type.browse(vals.get("type_id"))
            order = Order.browse(vals.get("order_id"))
            if exc_type and order:
                vals.update(
                    {
                        key: value
                        for key, value in self._policy_defaults(order, exc_type).items()
                        if key not in vals
                        or key in ("block_delivery", "block_invoice")
                        or (key in ("user_id", "deadline") and not vals[key])
                    }
                )
        if not is_policy_privileged():
            orders = Order.browse([vals.get("order_id") for vals in vals_list])
            orders.check_access("read")
            self._policy_check_no_duplicate(vals_list)
        exceptions = super().create(vals_list)
        exceptions._policy_on_raised()
        return exceptions

    def write(self, vals):
        if not is_policy_privileged():
            if ENGINE_FIELDS & set(vals):
                raise UserError(
                    self.env._(
                        "The state of an exception changes only with its buttons (Start, "
                        "Resolve, Cancel, Override)."
                    )
                )
            if FIXED_FIELDS & set(vals):
                raise UserError(
                    self.env._(
                        "The order, type and blocking of an exception are set when it is "
                        "raised. Cancel it and raise another, or ask a sales manager to "
                        "override the block."
                    )
                )
            if HANDLING_FIELDS & set(vals) and any(e.state not in OPEN_STATES for e in self):
                raise UserError(
                    self.env._("A resolved or cancelled exception cannot be changed any more.")
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_register(self):
        raise UserError(
            self.env._("Exceptions are a register and are never deleted; cancel them instead.")
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _policy_user_can_handle(self):
        """Owner, salesperson, team leader, or a sales manager / general manager."""
        self.ensure_one()
        user = self.env.user
        return (
            self.env.su
            or user in (self.user_id | self.salesperson_id | self.team_id.user_id)
            or user.has_group("sales_team.group_sale_manager")
            or user.has_group("sale_order_policy.group_general_manager")
        )

    def _policy_check_can_handle(self):
        for exc in self:
            if not exc._policy_user_can_handle():
                raise AccessError(
                    self.env._(
                        "Only the owner, the salesperson, the team leader or a sales manager "
                        "can handle exception %(exception)s.",
                        exception=exc.name,
                    )
                )

    def _policy_check_open(self):
        for exc in self:
            if exc.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "Exception %(exception)s is already %(state)s.",
                        exception=exc.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            exc.state
                        ],
                    )
                )

    def action_start(self):
        self._policy_check_open()
        self._policy_check_can_handle()
        with policy_privileged():
            self.filtered(lambda e: e.state == "open").write({"state": "in_progress"})
        return True

    def action_resolve(self):
        self._policy_check_open()
        self._policy_check_can_handle()
        for exc in self:
            if not (exc.resolution or "").strip():
                raise UserError(
                    self.env._(
                        "Record the resolution of %(exception)s before resolving it.",
                        exception=exc.name,
                    )
                )
        self._policy_close("resolved")
        return True

    def action_cancel(self):
        self._policy_check_open()
        self._policy_check_can_handle()
        self._policy_close("cancelled")
        return True

    def action_open_override(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Exception"),
            "res_model": "sale.policy.exception.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_exception_ids": self.ids},
        }

    def action_open_order(self):
        self.ensure_one()
        return self.order_id.get_formview_action()

    def _policy_override(self, reason):
        """A sales manager lets the blocked document through; logged in the policy log."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("Only a sales manager can override a blocking exception."))
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for the override."))
        self._policy_check_open()
        now = fields.Datetime.now()
        with policy_privileged():
            self.write(
                {
                    "override_reason": reason,
                    "overridden_by_id": self.env.uid,
                    "overridden_on": now,
                }
            )
        Log = self.env["sale.policy.log"]
        for exc in self:
            comment = self.env._(
                "Blocking exception %(exception)s overridden: %(reason)s",
                exception=exc.name,
                reason=reason,
            )
            Log._policy_add(exc.order_id, "override", comment=comment)
            exc.message_post(body=comment, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # API for the detectors and other features
    # ------------------------------------------------------------------

    @api.model
    def _policy_defaults(self, order, exc_type):
        now = fields.Datetime.now()
        return {
            "company_id": order.company_id.id,
            "severity": exc_type.severity,
            "blocking": exc_type.blocking,
            "block_delivery": exc_type.block_delivery,
            "block_invoice": exc_type.block_invoice,
            "user_id": self._policy_owner(order, exc_type).id,
            "deadline": now + timedelta(hours=exc_type.deadline_hours or 0.0)
            if exc_type.deadline_hours
            else False,
        }

    @api.model
    def _policy_owner(self, order, exc_type):
        if exc_type.owner_rule == "user" and exc_type.owner_user_id:
            return exc_type.owner_user_id
        if exc_type.owner_rule == "team_leader" and order.team_id.user_id:
            return order.team_id.user_id
        return order.user_id or order.team_id.user_id or self.env.user

    def _policy_check_no_duplicate(self, vals_list):
        pairs = [(vals.get("order_id"), vals.get("type_id")) for vals in vals_list]
        if len(set(pairs)) != len(pairs):
            raise UserError(self.env._("The same exception is raised twice on one order."))
        existing = (
            self.sudo()
            .search(
                [
                    ("order_id", "in", [p[0] for p in pairs]),
                    ("type_id", "in", [p[1] for p in pairs]),
                    ("state", "in", OPEN_STATES),
                ]
            )
            .filtered(lambda e: (e.order_id.id, e.type_id.id) in pairs)
        )
        if existing:
            raise UserError(
                self.env._(
                    "Exception %(exception)s is already open on this order: add to it instead "
                    "of raising a second one.",
                    exception=existing[0].name,
                )
            )

    @api.model
    def _policy_raise(self, order, code, message, origin="auto", **links):
        """Raise exception `code` on `order`, or return the one already open.

        `links` may hold picking / invoice records (or ids), and `severity`, `user`,
        `blocking` to override the type's defaults. `origin`: "auto" for what a feature
        detects (rating, dunning...), "manual" when a user asked for it (then it is also
        written to the policy log and the order's chatter).
        """
        order.ensure_one()
        exc_type = (
            self.env["sale.policy.exception.type"].sudo()._policy_find(code, order.company_id)
        )
        if not exc_type:
            raise UserError(
                self.env._("No exception type with code %(code)s is defined.", code=code)
            )
        return self._policy_raise_many([(order, exc_type, message, links)], origin=origin)[order.id]

    @api.model
    def _policy_raise_many(self, items, origin="manual"):
        """Batch raise: items are (order, type, message, links). Returns {order id: exc}.

        One query finds those already open; the new ones are created in one batch.
        """
        Exc = self.sudo()
        result = {}
        if not items:
            return result
        self.env.flush_all()
        order_ids = list({order.id for order, *_rest in items})
        type_ids = list({exc_type.id for _order, exc_type, *_rest in items})
        existing = Exc.search(
            [
                ("order_id", "in", order_ids),
                ("type_id", "in", type_ids),
                ("state", "in", OPEN_STATES),
            ]
        )
        by_key = {(e.order_id.id, e.type_id.id): e for e in existing}
        vals_list, keys = [], []
        for order, exc_type, message, links in items:
            key = (order.id, exc_type.id)
            if key in by_key:
                result[order.id] = by_key[key]
                continue
            if key in keys:
                continue
            vals = {
                "order_id": order.id,
                "type_id": exc_type.id,
                "description": message,
                "origin": origin,
                **self._policy_defaults(order, exc_type),
            }
            for link, fname in (("picking", "picking_id"), ("invoice", "invoice_id")):
                value = links.get(link) or links.get(fname)
                if value:
                    vals[fname] = value.id if isinstance(value, models.BaseModel) else value
            if links.get("severity"):
                vals["severity"] = links["severity"]
            if links.get("user"):
                vals["user_id"] = links["user"].id
            if "blocking" in links:
                vals["blocking"] = bool(links["blocking"])
            vals_list.append(vals)
            keys.append(key)
        if vals_list:
            with policy_privileged():
                created = Exc.with_context(
                    mail_create_nolog=origin == "auto",
                    mail_create_nosubscribe=True,
                    mail_auto_subscribe_no_notify=True,
                ).create(vals_list)
            for exc in created:
                result[exc.order_id.id] = exc.with_env(self.env)
        return {order_id: exc.with_env(self.env) for order_id, exc in result.items()}

    @api.model
    def _policy_auto_resolve(self, orders, code, note):
        """Resolve the open exceptions `code` of `orders` whose condition has cleared."""
        if not orders:
            return self.browse()
        open_exc = self.sudo().search(
            [("order_id", "in", orders.ids), ("code", "=", code), ("state", "in", OPEN_STATES)]
        )
        open_exc._policy_close_with_note(note)
        return open_exc.with_env(self.env)

    def _policy_on_raised(self):
        """Log, tell the chatter, give the owner and the salesperson an activity.

        Works on a batch: the detection job raises thousands at once.
        """
        if not self:
            return
        activity_type = self.env.ref("sale_order_policy.mail_activity_type_policy_exception")
        model_id = self.env["ir.model"]._get_id(self._name)
        Log = self.env["sale.policy.log"]
        activity_vals = []
        for exc in self.sudo():
            order = exc.order_id
            comment = self.env._(
                "Exception raised: %(type)s: %(description)s",
                type=exc.type_id.name,
                description=exc.description,
            )
            if exc.origin == "manual":
                # Detected exceptions are recorded in the register itself (origin, raised
                # on); the policy log keeps what people do.
                Log._policy_add(order, "exception", comment=comment)
                order.message_post(body=comment, subtype_xmlid="mail.mt_note")
                exc.message_subscribe(partner_ids=(exc.user_id | order.user_id).partner_id.ids)
            for user in exc.user_id | order.user_id:
                activity_vals.append(
                    {
                        "res_model_id": model_id,
                        "res_id": exc.id,
                        "activity_type_id": activity_type.id,
                        "summary": exc.type_id.name,
                        "note": exc.description,
                        "user_id": user.id,
                        "date_deadline": (exc.deadline or fields.Datetime.now()).date(),
                    }
                )
        if activity_vals:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                activity_vals
            )

    def _policy_close(self, state, note=None):
        """Close the exceptions. A user's close is logged in the policy log and the
        chatter one by one; an automatic close (`note` given, e.g. delivery done) is
        batched: the note becomes the resolution and the open activities are removed."""
        vals = {
            "state": state,
            "resolved_on": fields.Datetime.now(),
            "resolved_by_id": self.env.uid,
        }
        if note is not None:
            vals.update(resolution=note, auto_resolved=True)
        with policy_privileged():
            self.sudo().write(vals)
        if note is not None:
            # The condition cleared by itself: the to-dos are obsolete, the note is the
            # resolution (tracked in the chatter with the state).
            self.sudo().activity_ids.unlink()
            return
        Log = self.env["sale.policy.log"]
        for exc in self.sudo():
            if state == "resolved":
                comment = self.env._(
                    "Exception resolved: %(exception)s: %(resolution)s",
                    exception=exc.name,
                    resolution=exc.resolution or "",
                )
            else:
                comment = self.env._("Exception cancelled: %(exception)s", exception=exc.name)
            Log._policy_add(exc.order_id, "exception", comment=comment)
            exc.activity_ids.action_feedback(feedback=exc.resolution or comment)
            exc.order_id.message_post(body=comment, subtype_xmlid="mail.mt_note")

    # ------------------------------------------------------------------
    # Blocking
    # ------------------------------------------------------------------

    @api.model
    def _policy_blocking_for(self, orders, target):
        """Open, non-overridden blocking exceptions of `orders` for `target`
        ('delivery' or 'invoice')."""
        if not orders:
            return self.browse()
        field = "block_delivery" if target == "delivery" else "block_invoice"
        return self.sudo().search(
            [
                ("order_id", "in", orders.ids),
                ("currently_blocking", "=", True),
                (field, "=", True),
            ]
        )

    @api.model
    def _policy_blocking_message(self, blocking, document):
        names = ", ".join(blocking.mapped("name"))
        return self.env._(
            "%(document)s is blocked by the open exception %(exceptions)s. Resolve it, or ask "
            "a sales manager to override it with a reason.",
            document=document,
            exceptions=names,
        )

    def _policy_close_with_note(self, note, state="resolved"):
        """Close these exceptions automatically (condition cleared, order cancelled)."""
        if self:
            self._policy_close(state, note=note)

    # ------------------------------------------------------------------
    # Escalation
    # ------------------------------------------------------------------

    @api.model
    def _policy_escalate(self):
        """Open exceptions past their deadline go to the team leader, once."""
        overdue = self.sudo().search(
            [
                ("state", "in", OPEN_STATES),
                ("deadline", "<", fields.Datetime.now()),
                ("escalated_on", "=", False),
            ]
        )
        if not overdue:
            return overdue
        now = fields.Datetime.now()
        with policy_privileged():
            overdue.write({"escalated_on": now})
        activity_type = self.env.ref(
            "sale_order_policy.mail_activity_type_policy_exception_escalated"
        )
        model_id = self.env["ir.model"]._get_id(self._name)
        Log = self.env["sale.policy.log"]
        activity_vals = []
        for exc in overdue:
            leader = exc.team_id.user_id
            comment = self.env._(
                "Exception %(exception)s passed its deadline %(deadline)s without being "
                "resolved; escalated to %(leader)s.",
                exception=exc.name,
                deadline=fields.Datetime.to_string(exc.deadline),
                leader=leader.name or self.env._("nobody (the sales team has no leader)"),
            )
            Log._policy_add(exc.order_id, "escalate", comment=comment)
            if leader:
                exc.message_subscribe(partner_ids=leader.partner_id.ids)
                activity_vals.append(
                    {
                        "res_model_id": model_id,
                        "res_id": exc.id,
                        "activity_type_id": activity_type.id,
                        "summary": self.env._("Escalated: %(type)s", type=exc.type_id.name),
                        "note": comment,
                        "user_id": leader.id,
                        "date_deadline": fields.Date.context_today(self),
                    }
                )
            exc.message_post(body=comment, subtype_xmlid="mail.mt_note")
        if activity_vals:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                activity_vals
            )
        return overdue
