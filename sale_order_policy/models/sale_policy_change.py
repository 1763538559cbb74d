from odoo import api, fields, models
from odoo.exceptions import UserError

from .sale_policy_protected_mixin import is_policy_privileged, policy_privileged

CHANGE_STATES = [
    ("draft", "Draft"),
    ("pending", "Under Review"),
    ("approved", "Approved"),
    ("applied", "Applied"),
    ("rejected", "Rejected"),
    ("cancelled", "Withdrawn"),
]
OPEN_STATES = ("pending", "approved")
# Order header field -> proposed field on the request (see `_policy_header_fields`).
HEADER_FIELDS = {
    "partner_id": "new_partner_id",
    "partner_invoice_id": "new_partner_invoice_id",
    "partner_shipping_id": "new_partner_shipping_id",
    "pricelist_id": "new_pricelist_id",
    "payment_term_id": "new_payment_term_id",
    "commitment_date": "new_commitment_date",
}
# Fields only the engine writes (see `_policy_engine_fields`).
ENGINE_FIELDS = frozenset(
    {
        "state",
        "review_round",
        "requested_by_id",
        "requested_on",
        "decided_on",
        "applied_on",
        "revision_id",
        "apply_error",
    }
)


class SalePolicyChange(models.Model):
    """A request to change or cancel a confirmed order (订单变更 / 取消申请)."""

    _name = "sale.policy.change"
    _inherit = ["mail.thread", "mail.activity.mixin", "sale.policy.reviewable.mixin"]
    _description = "Sales Order Change Request"
    _order = "id desc"
    _check_company_auto = True
    # Fields anyone with access may still write once the request is submitted.
    _policy_free_fields = frozenset(
        {"message_main_attachment_id", "customer_confirmation_attachment_ids"}
    )

    name = fields.Char(string="Reference", readonly=True, copy=False, default="/")
    order_id = fields.Many2one(
        "sale.order",
        string="Order",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
        domain="[('state', 'in', ('draft', 'sent', 'sale'))]",
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    change_type = fields.Selection(
        [("amend", "Change"), ("cancel", "Cancellation")],
        string="Type",
        required=True,
        default="amend",
        index=True,
    )
    state = fields.Selection(
        CHANGE_STATES, required=True, default="draft", index=True, tracking=True, copy=False
    )
    initiated_by = fields.Selection(
        [("customer", "Customer"), ("internal", "Internal")],
        string="Initiated by",
        required=True,
        default="internal",
        tracking=True,
        help="Customer: the customer asked for it (not held against the salesperson's order "
        "accuracy). Internal: a correction of our own order.",
    )
    reason = fields.Text(help="Why the order must change; the reviewers read it.")
    cancel_reason_id = fields.Many2one(
        "sale.policy.cancel.reason",
        string="Cancellation Reason",
        check_company=True,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    customer_confirmation_method = fields.Selection(
        [("written", "Written"), ("phone", "Phone"), ("email", "Email")],
        string="Customer Confirmation",
        help="How the customer confirmed (re-signed) the change (书面/电话/邮件确认).",
    )
    customer_confirmation_attachment_ids = fields.Many2many(
        "ir.attachment",
        "sale_policy_change_confirmation_attachment_rel",
        "change_id",
        "attachment_id",
        string="Confirmation Evidence",
    )
    # Proposed header values (prefilled with the current ones).
    new_partner_id = fields.Many2one(
        "res.partner", string="Customer", check_company=True, tracking=True
    )
    new_partner_invoice_id = fields.Many2one(
        "res.partner", string="Invoice Address", check_company=True
    )
    new_partner_shipping_id = fields.Many2one(
        "res.partner", string="Delivery Address", check_company=True
    )
    new_pricelist_id = fields.Many2one("product.pricelist", string="Pricelist", check_company=True)
    new_payment_term_id = fields.Many2one(
        "account.payment.term", string="Payment Terms", check_company=True, tracking=True
    )
    new_commitment_date = fields.Datetime(string="Delivery Date", tracking=True)
    line_ids = fields.One2many("sale.policy.change.line", "change_id", string="Lines", copy=True)
    # Amounts (untaxed, order currency) and what the rules test.
    amount_old = fields.Monetary(
        string="Current Untaxed Amount", compute="_compute_amounts", store=True
    )
    amount_new = fields.Monetary(
        string="Proposed Untaxed Amount", compute="_compute_amounts", store=True
    )
    amount_increase_percent = fields.Float(
        string="Increase (%)", compute="_compute_amounts", store=True, aggregator="avg"
    )
    has_price_cut = fields.Boolean(
        string="Price Cut", compute="_compute_amounts", store=True, index=True
    )
    # Engine fields
    review_round = fields.Integer(string="Round", readonly=True, copy=False)
    review_ids = fields.One2many("sale.policy.review", "change_id", string="Reviews", copy=False)
    log_ids = fields.One2many("sale.policy.log", "change_id", string="Policy Log", copy=False)
    requested_by_id = fields.Many2one("res.users", string="Requested by", readonly=True, copy=False)
    requested_on = fields.Datetime(readonly=True, copy=False, index=True)
    decided_on = fields.Datetime(readonly=True, copy=False)
    applied_on = fields.Datetime(readonly=True, copy=False)
    revision_id = fields.Many2one(
        "sale.policy.revision", string="Revision", readonly=True, copy=False
    )
    apply_error = fields.Text(readonly=True, copy=False)
    pending_step = fields.Char(string="Awaiting", compute="_compute_pending_step")
    can_decide = fields.Boolean(compute="_compute_can_decide")
    partner_id = fields.Many2one(related="order_id.partner_id", string="Order Customer")
    salesperson_id = fields.Many2one(related="order_id.user_id", string="Salesperson")

    @api.depends(
        "change_type",
        "line_ids.old_subtotal",
        "line_ids.new_subtotal",
        "line_ids.is_price_cut",
    )
    def _compute_amounts(self):
        for change in self:
            lines = change.line_ids
            old = sum(lines.mapped("old_subtotal"))
            new = 0.0 if change.change_type == "cancel" else sum(lines.mapped("new_subtotal"))
            change.amount_old = old
            change.amount_new = new
            if change.change_type == "cancel" or new <= old:
                change.amount_increase_percent = 0.0
            else:
                change.amount_increase_percent = (new - old) / old * 100.0 if old else 100.0
            change.has_price_cut = change.change_type == "amend" and any(
                lines.mapped("is_price_cut")
            )

    @api.depends("review_ids.state", "review_ids.name")
    def _compute_pending_step(self):
        for change in self:
            pending = change.review_ids.filtered(lambda r: r.state == "pending")
            change.pending_step = ", ".join(pending.mapped("name")) or False

    @api.depends_context("uid")
    @api.depends("review_ids.state")
    def _compute_can_decide(self):
        for change in self:
            change.can_decide = any(review.can_decide for review in change.review_ids.sudo())

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            [v["order_id"] for v in vals_list if "order_id" in v]
        )
        orders.check_access("write")
        for vals in vals_list:
            if not is_policy_privileged():
                self._policy_refuse_engine_values(vals)
            order = self.env["sale.order"].browse(vals.get("order_id"))
            if not order:
                continue
            for order_field, new_field in self._policy_header_fields().items():
                if new_field not in vals:
                    field = order._fields[order_field]
                    vals[new_field] = field.convert_to_write(order[order_field], order)
            if vals.get("change_type", "amend") == "amend" and "line_ids" not in vals:
                vals["line_ids"] = [
                    fields.Command.create({"sale_line_id": line.id})
                    for line in order._policy_approved_lines()
                ]
            elif vals.get("change_type") == "cancel":
                vals["line_ids"] = [
                    fields.Command.create({"sale_line_id": line.id, "new_qty": 0.0})
                    for line in order._policy_approved_lines()
                ]
        changes = super().create(vals_list)
        for change in changes:
            prefix = "CXL" if change.change_type == "cancel" else "CHG"
            count = self.search_count(
                [("order_id", "=", change.order_id.id), ("change_type", "=", change.change_type)]
            )
            with policy_privileged():
                change.name = f"{change.order_id.name}/{prefix}/{count}"
        return changes

    def write(self, vals):
        if not is_policy_privileged():
            self._policy_refuse_engine_values(vals)
            business = set(vals) - self._policy_free_fields
            if business and any(change.state != "draft" for change in self):
                raise UserError(
                    self.env._("Only draft change requests can be edited; withdraw it instead.")
                )
            if "order_id" in vals and any(
                change.order_id.id != vals["order_id"] for change in self
            ):
                raise UserError(self.env._("A change request cannot move to another order."))
        return super().write(vals)

    @api.model
    def _policy_header_fields(self):
        """{order header field: proposed field of the request}; other modules add theirs."""
        return dict(HEADER_FIELDS)

    @api.model
    def _policy_engine_fields(self):
        """Fields only the engine writes; other modules add theirs."""
        return set(ENGINE_FIELDS)

    def _policy_refuse_engine_values(self, vals):
        """Engine fields: only their initial values (a draft, nothing decided) may be sent."""
        forged = {
            fname
            for fname in self._policy_engine_fields() & set(vals)
            if vals[fname] and not (fname == "state" and vals[fname] == "draft" and not self)
        }
        if forged:
            raise UserError(
                self.env._(
                    "The state of a change request changes only through submission and review."
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        if any(change.state != "draft" for change in self):
            raise UserError(
                self.env._(
                    "Submitted change requests are part of the order's history and cannot be "
                    "deleted."
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_submit(self):
        for change in self:
            change._policy_submit()
        if len(self) == 1 and self.env.context.get("sale_policy_change_dialog"):
            return {"type": "ir.actions.act_window_close"}
        return True

    def action_withdraw(self):
        for change in self:
            if change.state not in ("draft", "pending"):
                raise UserError(
                    self.env._(
                        "Change request %(name)s is %(state)s and can no longer be withdrawn.",
                        name=change.name,
                        state=dict(CHANGE_STATES)[change.state],
                    )
                )
            change.order_id.check_access("write")
            was_pending = change.state == "pending"
            with policy_privileged():
                if was_pending:
                    change._policy_close_open_reviews()
                change.write({"state": "cancelled"})
                if was_pending:
                    change._policy_log("change_withdraw", comment=change.name)
        return True

    def action_apply(self):
        """Retry the application of an approved change (after an application error)."""
        for change in self:
            if change.state != "approved":
                raise UserError(
                    self.env._(
                        "Only approved change requests can be applied (%(name)s).", name=change.name
                    )
                )
            change.order_id.check_access("write")
            change._policy_apply()
        return True

    def action_open_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------------

    # --- The review engine's getters (sale.policy.reviewable.mixin) ---

    def _policy_applies_to(self):
        return "cancel" if self.change_type == "cancel" else "change"

    def _policy_order(self):
        return self.order_id

    def _policy_owners(self):
        return self.order_id._policy_owners()

    def _policy_party_error(self, user):
        if user == self.requested_by_id:
            return self.env._(
                "You cannot approve or reject %(name)s: you requested it.", name=self.name
            )
        return self.order_id._policy_party_error(user)

    def _policy_amount_company(self):
        return self.order_id._policy_amount_company()

    def _policy_review_checks(self):
        return self.order_id.policy_check_ids

    def _policy_is_under_review(self):
        return self.state == "pending"

    def _policy_lock_records(self):
        # Requests of one order are serialised on the order: two cannot both be open.
        return self.order_id

    def _policy_reviews(self):
        return self.review_ids

    def _policy_log_values(self):
        return {"change_id": self.id}

    def _policy_review_values(self):
        return {**super()._policy_review_values(), "change_id": self.id}

    # ------------------------------------------------------------------
    # Engine
    # ------------------------------------------------------------------

    def _policy_submit(self):
        self.ensure_one()
        self.order_id.check_access("write")
        return super()._policy_submit()

    def _policy_prepare_submission(self, review_round):
        order = self.order_id
        if self.state != "draft":
            raise UserError(
                self.env._("Change request %(name)s has already been submitted.", name=self.name)
            )
        if not order._policy_active():
            raise UserError(
                self.env._(
                    "The sales order policy is not enabled for %(company)s.",
                    company=order.company_id.name,
                )
            )
        other = order.policy_change_ids.filtered(lambda c: c != self and c.state in OPEN_STATES)
        if other:
            raise UserError(
                self.env._(
                    "Order %(order)s already has an open request (%(other)s). Wait for its "
                    "decision or withdraw it first.",
                    order=order.name,
                    other=other[0].name,
                )
            )
        if self.change_type == "cancel":
            self._policy_validate_cancel()
        else:
            self._policy_validate_amend()
        return super()._policy_prepare_submission(review_round)

    def _policy_settle_without_review(self):
        if self.change_type == "cancel" and not self.order_id._policy_cancel_needs_approval():
            self._policy_cancel_quotation()
            return True
        return False

    def _policy_submit_log_event(self):
        return "cancel_request" if self.change_type == "cancel" else "change_request"

    def _policy_submission_values(self, review_round):
        return {
            **super()._policy_submission_values(review_round),
            "state": "pending",
            "requested_by_id": self.env.uid,
            "requested_on": fields.Datetime.now(),
            "apply_error": False,
        }

    def _policy_log_summary(self):
        self.ensure_one()
        if self.change_type == "cancel":
            parts = [self.cancel_reason_id.name, self.reason]
        else:
            parts = [self.reason, *self._policy_diff_lines()]
        return "\n".join(p for p in parts if p)

    def _policy_validate_amend(self):
        self.ensure_one()
        order = self.order_id
        if order.state != "sale":
            raise UserError(
                self.env._(
                    "Only confirmed orders are changed through a change request; edit "
                    "quotation %(order)s directly.",
                    order=order.name,
                )
            )
        missing = []
        if not (self.reason or "").strip():
            missing.append(self.env._("the reason for the change"))
        if not self.customer_confirmation_method:
            missing.append(self.env._("how the customer confirmed the change"))
        if missing:
            raise UserError(
                self.env._(
                    "Change request %(name)s is incomplete: %(missing)s.",
                    name=self.name,
                    missing=", ".join(missing),
                )
            )
        if not self._policy_diff_lines():
            raise UserError(
                self.env._(
                    "Change request %(name)s changes nothing: set the new values first.",
                    name=self.name,
                )
            )
        self.line_ids._policy_validate()

    def _policy_validate_cancel(self):
        self.ensure_one()
        order = self.order_id
        if order.state == "cancel":
            raise UserError(self.env._("Order %(order)s is already cancelled.", order=order.name))
        if not self.cancel_reason_id:
            raise UserError(self.env._("Choose a cancellation reason."))
        if self.cancel_reason_id.note_required and not (self.reason or "").strip():
            raise UserError(
                self.env._(
                    "The reason “%(reason)s” needs an explanation in the details.",
                    reason=self.cancel_reason_id.name,
                )
            )
        order._policy_check_cancellable()

    def _policy_on_approved(self, reason=None):
        """Every review approved (or none needed): apply the change at once."""
        self.ensure_one()
        with policy_privileged():
            self.write({"state": "approved", "decided_on": fields.Datetime.now()})
        self._policy_apply()

    def _policy_on_rejected(self, review):
        self.ensure_one()
        with policy_privileged():
            self.write({"state": "rejected", "decided_on": fields.Datetime.now()})
        body = self.env._(
            "%(name)s rejected at step %(step)s by %(user)s: %(reason)s. The order is unchanged.",
            name=self.name,
            step=review.name,
            user=self.env.user.name,
            reason=review.comment or "",
        )
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        requester = self.requested_by_id
        if requester:
            self.sudo().activity_schedule(
                "sale_order_policy.mail_activity_type_policy_rejected",
                user_id=requester.id,
                note=body,
            )

    def _policy_apply(self):
        """Apply an approved request; an error leaves it approved with the error shown."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                if self.change_type == "cancel":
                    self._policy_apply_cancel()
                else:
                    self._policy_apply_amend()
        except UserError as error:
            message = error.args[0]
            with policy_privileged():
                self.write({"apply_error": message})
            self.sudo().message_post(
                body=self.env._(
                    "%(name)s is approved but could not be applied: %(error)s",
                    name=self.name,
                    error=message,
                ),
                subtype_xmlid="mail.mt_note",
                partner_ids=self.requested_by_id.partner_id.ids,
            )
            return False
        return True

    def _policy_apply_amend(self):
        order = self.order_id
        diff = self._policy_diff_lines()
        with policy_privileged():
            order._policy_record_gate_pass("content")
            revision = self.env["sale.policy.revision"]._policy_snapshot(order, self)
            header = self._policy_header_values()
            if header:
                order.write(header)
            self.line_ids._policy_apply()
            order.write({"policy_revision": revision.revision_number})
            order._policy_store_approved_content()
            revision._policy_set_diff(diff)
            now = fields.Datetime.now()
            self.write(
                {
                    "state": "applied",
                    "applied_on": now,
                    "revision_id": revision.id,
                    "apply_error": False,
                }
            )
            self._policy_log("apply", comment="\n".join(diff))
            self._policy_log(
                "revision", comment=self.env._("Rev. %(number)s", number=revision.revision_number)
            )
        body = self.env._(
            "%(name)s applied: the order is now Rev. %(number)s.",
            name=self.name,
            number=revision.revision_number,
        )
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        order.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    def _policy_apply_cancel(self):
        order = self.order_id
        order._policy_check_cancellable()
        with policy_privileged():
            order._policy_do_cancel(self)
            self.write(
                {"state": "applied", "applied_on": fields.Datetime.now(), "apply_error": False}
            )

    def _policy_cancel_quotation(self):
        """A quotation that was never approved: cancelled at once, the reason recorded."""
        now = fields.Datetime.now()
        with policy_privileged():
            self.write(
                {
                    "state": "applied",
                    "requested_by_id": self.env.uid,
                    "requested_on": now,
                    "applied_on": now,
                }
            )
            self._policy_log("cancel_request", comment=self._policy_log_summary())
            self.order_id._policy_do_cancel(self)

    def _policy_close_open_reviews(self):
        open_reviews = self.review_ids.sudo().filtered(lambda r: r.state in ("waiting", "pending"))
        with policy_privileged():
            for review in open_reviews:
                review.activity_ids.sudo().exists().unlink()
            open_reviews.write({"state": "cancelled"})

    def _policy_header_values(self):
        """Order header values the request changes, ready for `sale.order.write`."""
        self.ensure_one()
        order = self.order_id
        vals = {}
        for order_field, new_field in self._policy_header_fields().items():
            field = order._fields[order_field]
            old = field.convert_to_write(order[order_field], order)
            new = self._fields[new_field].convert_to_write(self[new_field], self)
            if (old or False) != (new or False):
                vals[order_field] = new
        if vals.get("partner_id"):
            # Computed from the customer: keep the proposed values, not recomputed ones.
            for order_field, new_field in self._policy_header_fields().items():
                vals.setdefault(
                    order_field, self._fields[new_field].convert_to_write(self[new_field], self)
                )
        return vals

    def _policy_diff_lines(self):
        """What the request changes, one readable line per difference."""
        self.ensure_one()
        order = self.order_id
        if self.change_type == "cancel":
            return [self.env._("Order cancelled")]
        result = []
        for order_field, new_field in self._policy_header_fields().items():
            field = order._fields[order_field]
            old = order[order_field]
            new = self[new_field]
            if (old or False) == (new or False):
                continue
            result.append(
                self.env._(
                    "%(field)s: %(old)s → %(new)s",
                    field=field._description_string(self.env),
                    old=self._policy_display(old, field),
                    new=self._policy_display(new, field),
                )
            )
        result.extend(self.line_ids._policy_diff_lines())
        return result

    def _policy_display(self, value, field):
        if not value:
            return self.env._("(none)")
        if field.type == "many2one":
            return value.display_name
        if field.type == "datetime":
            return fields.Datetime.to_string(fields.Datetime.context_timestamp(self, value))[:16]
        return str(value)
