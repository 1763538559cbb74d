import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import database_guard
from ..tools.many2many import link_pairs
from .sale_policy_protected_mixin import (
    is_policy_privileged,
    policy_privileged,
    policy_system_cause,
)

APPROVAL_STATES = [
    ("draft", "Not Submitted"),
    ("pending", "Under Review"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "sale.policy.reviewable.mixin"]
    _policy_round_field = "policy_round"
    # The submission writes the order's own row: that serialises two of them (repeatable
    # read) without a lock query of its own.
    _policy_lock_on_submit = False

    approval_state = fields.Selection(
        APPROVAL_STATES,
        string="Approval",
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    policy_enabled = fields.Boolean(related="company_id.sale_policy_enabled")
    policy_round = fields.Integer(
        string="Review Round",
        default=0,
        readonly=True,
        copy=False,
        help="Number of submissions.",
        groups="base.group_user",
    )
    # Users asked to review the order (reviewers of an opened step, escalation users): the
    # record rules let them (and their substitutes) read it. Kept by the engine, never shrunk.
    policy_reader_user_ids = fields.Many2many(
        "res.users",
        "sale_order_policy_reader_rel",
        "order_id",
        "user_id",
        string="Policy Readers",
        readonly=True,
        copy=False,
        prefetch=False,
        # Rules read the ids only: no need to read the users to filter archived ones.
        context={"active_test": False},
        groups="base.group_user",
    )
    policy_review_ids = fields.One2many(
        "sale.policy.review", "order_id", string="Reviews", copy=False, prefetch=False
    )
    policy_check_ids = fields.One2many(
        "sale.policy.check", "order_id", string="Policy Checks", copy=False, prefetch=False
    )
    policy_log_ids = fields.One2many(
        "sale.policy.log", "order_id", string="Policy Log", copy=False, prefetch=False
    )
    policy_check_result = fields.Selection(
        [("pass", "Pass"), ("warning", "Warning"), ("block", "Block")],
        string="Check Result",
        compute="_compute_policy_check_result",
        store=True,
        groups="base.group_user",
    )
    policy_can_decide = fields.Boolean(compute="_compute_policy_can_decide")
    policy_pending_step = fields.Char(string="Awaiting", compute="_compute_policy_pending_step")
    policy_submitted_on = fields.Datetime(
        string="Submitted on",
        readonly=True,
        copy=False,
        help="First submission for review.",
        groups="base.group_user",
    )
    policy_approved_on = fields.Datetime(
        string="Approved on", readonly=True, copy=False, groups="base.group_user"
    )
    customer_confirmation_method = fields.Selection(
        [("written", "Written"), ("phone", "Phone"), ("email", "Email")],
        string="Customer Confirmation",
        tracking=True,
        help="How the customer confirmed the order (书面/电话/邮件确认).",
    )
    customer_confirmation_attachment_ids = fields.Many2many(
        "ir.attachment",
        "sale_order_policy_confirmation_attachment_rel",
        "order_id",
        "attachment_id",
        string="Confirmation Evidence",
        prefetch=False,
    )
    intake_channel = fields.Selection(
        [
            ("phone", "Phone"),
            ("email", "Email"),
            ("fax", "Fax"),
            ("written", "Written"),
            ("portal", "Portal"),
            ("other", "Other"),
        ],
        tracking=True,
    )
    policy_intake_on = fields.Datetime(
        string="Received on",
        copy=False,
        tracking=True,
        help="When the customer's order reached us (接单时间). The salesperson's handling time "
        "runs from here to submission; empty: from the quotation's creation.",
    )
    priority = fields.Selection(
        [("0", "Normal"), ("1", "Urgent")], default="0", index=True, tracking=True
    )

    @api.depends("policy_check_ids.result", "policy_check_ids.active")
    def _compute_policy_check_result(self):
        rank = {"pass": 0, "warning": 1, "block": 2}
        for order in self:
            results = order.policy_check_ids.mapped("result")
            order.policy_check_result = max(results, key=rank.get) if results else False

    @api.depends("policy_review_ids.state", "policy_review_ids.name")
    def _compute_policy_pending_step(self):
        for order in self:
            pending = order.policy_review_ids.filtered(lambda r: r.state == "pending")
            order.policy_pending_step = ", ".join(pending.mapped("name")) or False

    @api.depends_context("uid")
    @api.depends("policy_review_ids.state")
    def _compute_policy_can_decide(self):
        for order in self:
            order.policy_can_decide = any(
                review.can_decide for review in order.policy_review_ids.sudo()
            )

    def init(self):
        res = super().init()
        # A database default too: code that inserts orders before this module's Python is
        # loaded (another module's install in the same run) still gets a valid row.
        self.env.cr.execute(
            "ALTER TABLE sale_order ALTER COLUMN approval_state SET DEFAULT 'draft'"
        )
        # The backstop: PostgreSQL refuses at COMMIT what the engine did not let through.
        database_guard.install(self.env.cr)
        return res

    def _policy_record_gate_pass(self, kind):
        """Engine only: tell the database guard (tools/database_guard.py) that the engine
        let `kind` (confirm, content, company) through for these orders in this
        transaction. The table has no model: nothing but the engine writes it."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "INSERT INTO sale_policy_gate_pass (txid, order_id, kind) "
                    "SELECT txid_current(), unnest(%s::int[]), %s",
                    self.ids,
                    kind,
                )
            )

    @api.model
    def _cron_policy_gate_pass_cleanup(self):
        """Passes of finished transactions are of no use any more."""
        self.env.cr.execute(
            "DELETE FROM sale_policy_gate_pass "
            "WHERE txid < txid_snapshot_xmin(txid_current_snapshot())"
        )

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------

    def _policy_active(self):
        self.ensure_one()
        return bool(self.company_id.sale_policy_enabled)

    @api.model
    def _policy_add_readers(self, pairs):
        """Add (order id, user id) pairs to `policy_reader_user_ids` in one insert."""
        link_pairs(self, "policy_reader_user_ids", pairs)

    @api.model
    def _policy_engine_fields(self):
        """Fields only the policy engine writes; other modules add theirs."""
        return {
            "approval_state",
            "policy_round",
            "policy_reader_user_ids",
            "policy_party_user_ids",
            "policy_submitted_on",
            "policy_approved_on",
            "policy_approved_content",
        }

    def _policy_refuse_engine_values(self, vals):
        forged = self._policy_engine_fields() & set(vals)
        if forged:
            raise UserError(
                self.env._(
                    "%(fields)s change only through submission and review.",
                    fields=", ".join(
                        sorted(self._fields[f].get_description(self.env)["string"] for f in forged)
                    ),
                )
            )

    @api.model
    def default_get(self, fields_list):
        """Neither context defaults nor user defaults (ir.default) reach engine fields."""
        res = super().default_get(fields_list)
        if not is_policy_privileged():
            for fname in self._policy_engine_fields() & set(res):
                field = self._fields[fname]
                res[fname] = field.default(self) if field.default else False
            if res.get("state") not in (None, "draft"):
                res["state"] = "draft"
        return res

    @api.model_create_multi
    def create(self, vals_list):
        if is_policy_privileged():
            return super().create(vals_list)
        for vals in vals_list:
            self._policy_refuse_engine_values(
                {
                    f: v
                    for f, v in vals.items()
                    if f in self._policy_engine_fields() and v != self._policy_engine_default(f)
                }
            )
        orders = super().create(vals_list)
        for order in orders:
            if order._policy_active() and order.state not in ("draft", "sent"):
                raise UserError(
                    self.env._(
                        "Order %(order)s must be created as a quotation: it is confirmed only "
                        "after its approval.",
                        order=order.name,
                    )
                )
        return orders

    def _policy_engine_default(self, fname):
        field = self._fields[fname]
        return field.default(self) if field.default else False

    def _policy_watched(self):
        """Orders whose content the policy protects now: quotations under review or
        approved, and confirmed orders."""
        return self.filtered(
            lambda o: o._policy_active()
            and (
                o.state == "sale"
                or (o.state in ("draft", "sent") and o.approval_state in ("pending", "approved"))
            )
        )

    def _policy_content_before(self):
        """Snapshots of the confirmed orders among self, to compare after a change."""
        return {
            order.id: order._policy_content()
            for order in self._policy_watched()
            if order.state == "sale"
        }

    def _policy_enforce_content(self, before):
        """After a change made outside the engine: an order under review cannot change, an
        approved quotation that changed loses its approval, a confirmed order changes only
        through the engine or Odoo's own work on behalf of a document (logged)."""
        if is_policy_privileged():
            return
        for order in self._policy_watched():
            if order.state == "sale":
                if order.id not in before:
                    continue
                changes = order._policy_content_changes(before[order.id])
                if changes:
                    order._policy_confirmed_change(changes)
                continue
            changes = order._policy_content_changes(order.policy_approved_content)
            if not changes:
                continue
            if order.approval_state == "pending":
                raise UserError(
                    self.env._(
                        "Order %(order)s is under review and cannot change until the "
                        "reviewers decide (ask a reviewer to reject it if it needs "
                        "correcting):\n%(changes)s",
                        order=order.name,
                        changes="\n".join(changes),
                    )
                )
            reason = self.env._(
                "Approval reset: the order changed after approval.\n%(changes)s",
                changes="\n".join(changes),
            )
            order._policy_reset(reason)
            # The web client shows it after the save: an approval is never lost silently.
            self.env.user._bus_send(
                "simple_notification",
                {
                    "type": "warning",
                    "sticky": True,
                    "title": self.env._("%(order)s: approval reset", order=order.name),
                    "message": reason,
                },
            )

    def _policy_confirmed_change(self, changes):
        self.ensure_one()
        cause = policy_system_cause()
        if not cause:
            raise UserError(self._policy_confirmed_change_refusal(changes))
        self._policy_record_gate_pass("content")
        comment = self.env._(
            "Changed by Odoo for %(cause)s:\n%(changes)s", cause=cause, changes="\n".join(changes)
        )
        with policy_privileged():
            self.env["sale.policy.log"]._policy_add(self, "system_change", comment=comment)

    def _policy_confirmed_change_refusal(self, changes):
        """Why a user may not change what was approved on a confirmed order (features that
        offer a way to change it say which)."""
        return self.env._(
            "Order %(order)s is confirmed: what was approved cannot change.\n%(changes)s",
            order=self.name,
            changes="\n".join(changes),
        )

    def _policy_reset(self, reason):
        with policy_privileged():
            for order in self:
                order.write({"approval_state": "draft"})
                self.env["sale.policy.log"]._policy_add(order, "reset", comment=reason)
                order.message_post(body=reason, subtype_xmlid="mail.mt_note")

    def write(self, vals):
        if is_policy_privileged():
            return super().write(vals)
        self._policy_refuse_engine_values(vals)
        if "company_id" in vals:
            self._policy_refuse_company_change(vals["company_id"])
        # Any state, cancelled included, enters `sale` only through the gate.
        unconfirmed = self.filtered(lambda o: o.state != "sale")
        before = self._policy_content_before()
        res = super().write(vals)
        confirmed = unconfirmed.filtered(lambda o: o.state == "sale" and o._policy_active())
        for order in confirmed:
            message = order._policy_confirmation_blocker()
            if message:
                raise UserError(message)
        confirmed._policy_record_gate_pass("confirm")
        self._policy_enforce_content(before)
        return res

    def _policy_refuse_company_change(self, company_id):
        """An order under review, approved or confirmed stays in its company when either
        company enforces the policy: a hop through a company without it would skip the
        review (a company is part of what was approved)."""
        target = self.env["res.company"].browse(company_id)
        for order in self:
            if order.company_id == target or not (
                order.state == "sale" or order.approval_state in ("pending", "approved")
            ):
                continue
            if order._policy_active() or target.sudo().sale_policy_enabled:
                raise UserError(
                    self.env._(
                        "Order %(order)s is %(state)s: it cannot move to company %(company)s. "
                        "Cancel it and create the order in that company instead.",
                        order=order.name,
                        state=order._policy_selection_label("approval_state")
                        if order.state != "sale"
                        else self.env._("confirmed"),
                        company=target.sudo().display_name,
                    )
                )

    def _policy_selection_label(self, fname):
        """The selection label of `fname`, in the user's language."""
        self.ensure_one()
        labels = dict(self._fields[fname]._description_selection(self.env))
        return labels.get(self[fname], self[fname])

    def _policy_gate_message(self):
        self.ensure_one()
        state = self._policy_selection_label("approval_state")
        return self.env._(
            "Order %(order)s cannot be confirmed before it is approved (approval: %(state)s). "
            "Submit it for review first.",
            order=self.name,
            state=state,
        )

    def _policy_confirmation_blocker(self):
        """Why the policy refuses to confirm the order now, or False."""
        self.ensure_one()
        if not self._policy_active():
            return False
        if self.approval_state != "approved":
            return self._policy_gate_message()
        changes = self._policy_content_changes(self.policy_approved_content)
        if changes:
            return self.env._(
                "Order %(order)s differs from the version that was approved; submit it for "
                "review again:\n%(changes)s",
                order=self.name,
                changes="\n".join(changes),
            )
        return False

    def _confirmation_error_message(self):
        return super()._confirmation_error_message() or self._policy_confirmation_blocker()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_policy_history(self):
        if self.sudo().policy_log_ids.filtered(lambda log: log.event != "delegate"):
            raise UserError(
                self.env._(
                    "Orders with an approval history cannot be deleted; cancel them instead."
                )
            )

    # ------------------------------------------------------------------
    # Submission and outcome
    # ------------------------------------------------------------------

    def action_submit_for_review(self):
        for order in self:
            order._policy_submit()
        return True

    # --- The review engine's getters (sale.policy.reviewable.mixin) ---

    def _policy_applies_to(self):
        return "order"

    def _policy_order(self):
        return self

    def _policy_owners(self):
        return self.user_id | self.create_uid

    def _policy_parties(self):
        return self._policy_owners() | self.sudo().policy_party_user_ids

    def _policy_party_error(self, user):
        if user in self._policy_parties():
            return self.env._(
                "You cannot approve or reject %(order)s: it is your own order.", order=self.name
            )
        return False

    def _policy_review_checks(self):
        return self.policy_check_ids

    def _policy_is_under_review(self):
        return self.approval_state == "pending" and self.state in ("draft", "sent")

    def _policy_not_under_review_message(self):
        return self.env._(
            "Order %(order)s is no longer under review: its steps cannot be decided.",
            order=self.name,
        )

    def _policy_reviews(self):
        return self.policy_review_ids.filtered(lambda r: r.res_model == self._name)

    def _policy_decision_reviews(self):
        # The order's form also decides the reviews of the documents about it.
        return self.policy_review_ids

    # --- Submission ---

    def _policy_submit(self):
        self.ensure_one()
        if not self._policy_active():
            return self.env["sale.policy.review"]
        self.check_access("write")
        return super()._policy_submit()

    def _policy_prepare_submission(self, review_round):
        if self.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "Only quotations can be submitted for review (%(order)s).", order=self.name
                )
            )
        if self.approval_state not in ("draft", "rejected"):
            raise UserError(
                self.env._(
                    "Order %(order)s is already %(state)s.",
                    order=self.name,
                    state=self._policy_selection_label("approval_state"),
                )
            )
        checks = self._policy_run_checks(review_round)
        self._policy_raise_if_incomplete(checks)
        self._policy_raise_if_uncovered_block(checks)
        return checks

    def _policy_submission_values(self, review_round):
        return {
            "approval_state": "pending",
            "policy_round": review_round,
            "policy_submitted_on": self.policy_submitted_on or fields.Datetime.now(),
            # The version under review: what an approval will be about.
            "policy_approved_content": self._policy_content(),
            # The portal token now, in the submission's own write: the reviewers'
            # notification (sent by a cron right after) would otherwise write it on an order
            # a user may be holding, and lose the notification to the lock.
            "access_token": self.access_token or str(uuid.uuid4()),
        }

    def _policy_mark_submitted(self, review_round):
        res = super()._policy_mark_submitted(review_round)
        self._policy_add_parties()
        return res

    def _policy_on_submitted(self, reviews):
        # The body of the chatter note that tracks the approval state: the reviewers are
        # notified by their activities (the body is escaped).
        self._track_set_log_message(
            self.env._(
                "Submitted for review (round %(round)s): %(steps)s.",
                round=self.policy_round,
                steps=", ".join(reviews.sorted("sequence").mapped("name")),
            ),
        )

    def _policy_auto_approve_reason(self):
        return self.env._("No approval rule applies to this order.")

    def _policy_raise_if_incomplete(self, checks):
        incomplete = checks.filtered(lambda c: c.code == "completeness" and c.result == "block")
        if incomplete:
            raise UserError(
                self.env._(
                    "Order %(order)s is incomplete and cannot be submitted:\n%(missing)s",
                    order=self.name,
                    missing="\n".join(incomplete.mapped("message")),
                )
            )

    def _policy_raise_if_uncovered_block(self, checks):
        blocking = checks.filtered(lambda c: c.result == "block").check_type_id
        if not blocking:
            return
        rules = (
            self.env["sale.policy.rule"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("applies_to", "=", self._policy_applies_to()),
                    ("check_type_ids", "in", blocking.ids),
                ]
            )
        )
        uncovered = blocking - rules.check_type_ids
        if uncovered:
            raise UserError(
                self.env._(
                    "Order %(order)s is blocked by the %(checks)s check and no active approval "
                    "rule can release it. Correct the order or ask a policy administrator to "
                    "add a rule for this check.",
                    order=self.name,
                    checks=", ".join(uncovered.mapped("name")),
                )
            )

    def _policy_on_approved(self, reason=None):
        self.ensure_one()
        with policy_privileged():
            self.write({"approval_state": "approved", "policy_approved_on": fields.Datetime.now()})
        body = reason or self.env._("All reviews approved: the order can be confirmed.")
        self.sudo().message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
            partner_ids=self.user_id.partner_id.ids,
        )

    def _policy_on_rejected(self, review):
        self.ensure_one()
        with policy_privileged():
            self.write({"approval_state": "rejected"})
        if self.user_id:
            self.sudo().activity_schedule(
                "sale_order_policy.mail_activity_type_policy_rejected",
                user_id=self.user_id.id,
                note=self.env._(
                    "Rejected at step %(step)s by %(user)s. Correct the order and submit it "
                    "again. Reason: %(reason)s",
                    step=review.name,
                    user=self.env.user.name,
                    reason=review.comment,
                ),
            )

    def _policy_needs_approval(self):
        self.ensure_one()
        return self._policy_active() and self.approval_state != "approved"

    def _policy_route_to_review(self, source):
        """Portal signature or online payment: review instead of confirmation."""
        for order in self.sudo():
            comment = self.env._(
                "The customer accepted the quotation online (%(channel)s); it goes to review "
                "before confirmation.",
                channel=source,
            )
            with policy_privileged():
                self.env["sale.policy.log"]._policy_add(order, "portal", comment=comment)
            if order.approval_state in ("draft", "rejected"):
                try:
                    with self.env.cr.savepoint():
                        order.with_user(order.user_id or self.env.user)._policy_submit()
                except UserError as error:
                    comment = f"{comment}\n{error.args[0]}"
            if order.user_id:
                order.activity_schedule(
                    "sale_order_policy.mail_activity_type_policy_portal",
                    user_id=order.user_id.id,
                    note=comment,
                )
            order.message_post(body=comment, subtype_xmlid="mail.mt_note")

    def _validate_order(self):
        gated = self.filtered(lambda o: o._policy_needs_approval())
        if gated:
            gated._policy_route_to_review(self.env._("signature"))
            # Approved at once when no rule applies: confirmed as usual.
            gated = gated.filtered(lambda o: o._policy_needs_approval())
        return super(SaleOrder, self - gated)._validate_order()

    def action_confirm(self):
        """With the policy on, a quotation that needs no review is approved and confirmed in
        one click; one whose approved version was changed loses its approval instead."""
        stale = self.filtered(
            lambda o: o._policy_active()
            and o.state in ("draft", "sent")
            and o.approval_state == "approved"
            and o._policy_content_changes(o.policy_approved_content)
        )
        if stale:
            for order in stale:
                order._policy_reset(order._policy_confirmation_blocker())
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "sticky": True,
                    "message": self.env._(
                        "%(orders)s changed after approval: the approval was reset and the "
                        "order was not confirmed. Submit it for review again.",
                        orders=", ".join(stale.mapped("name")),
                    ),
                    "next": {"type": "ir.actions.client", "tag": "soft_reload"},
                },
            }
        for order in self.filtered(
            lambda o: o._policy_active()
            and o.state in ("draft", "sent")
            and o.approval_state in ("draft", "rejected")
        ):
            order._policy_try_direct_approval()
        return super().action_confirm()

    def _policy_try_direct_approval(self):
        """Submit, and keep the result only when it approved at once (no rule applies)."""
        self.ensure_one()
        with self.env.cr.savepoint():
            self._policy_submit()
            if self.approval_state != "approved":
                steps = self.sudo().policy_review_ids.filtered(
                    lambda r: r.review_round == self.policy_round
                )
                # Rolls the submission back: the salesperson submits deliberately.
                raise UserError(
                    self.env._(
                        "Order %(order)s cannot be confirmed before it is approved: it needs "
                        "review (%(steps)s). Submit it for review.",
                        order=self.name,
                        steps=", ".join(steps.sorted("sequence").mapped("name")),
                    )
                )

    def _policy_approve_directly_where_possible(self):
        """The quotations of `self` never submitted (or rejected) that need no review are
        approved at once, as Confirm does; the others are left as they are."""
        for order in self.filtered(
            lambda o: o._policy_active()
            and o.state in ("draft", "sent")
            and o.approval_state in ("draft", "rejected")
        ):
            try:
                order._policy_try_direct_approval()
            except UserError:
                continue

    def _action_confirm(self):
        res = super()._action_confirm()
        for order in self.filtered(lambda o: o._policy_active()):
            self.env["sale.policy.log"]._policy_add(order, "confirm")
        return res

    def _policy_check_may_send(self):
        """Unapproved quotations do not leave the company when its option says so."""
        for order in self:
            if (
                order.state in ("draft", "sent")
                and order.company_id.sale_policy_block_unapproved_email
                and order._policy_needs_approval()
            ):
                raise UserError(
                    self.env._(
                        "Quotation %(order)s is not approved yet and your company does not "
                        "allow sending unapproved quotations.",
                        order=order.name,
                    )
                )

    def action_quotation_send(self):
        self._policy_check_may_send()
        return super().action_quotation_send()

    def _policy_external_recipients(self, partner_ids, followers=False):
        """Partners outside the company among `partner_ids` (and, for a message that
        notifies followers, among the followers)."""
        partners = self.env["res.partner"].sudo().browse(partner_ids or [])
        if followers:
            partners |= self.sudo().message_partner_ids
        return partners.filtered(lambda p: not any(user._is_internal() for user in p.user_ids))

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        # Every sending path (composer, pro-forma, templates, notes addressed to someone)
        # ends here, in message_notify or in the mass-mail composer.
        comment_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        to_followers = self.env.user._is_internal() and (
            kwargs.get("subtype_xmlid") == "mail.mt_comment"
            or kwargs.get("subtype_id") == comment_id
        )
        if self._policy_external_recipients(kwargs.get("partner_ids"), followers=to_followers):
            self._policy_check_may_send()
        return super().message_post(**kwargs)

    @api.returns("mail.message", lambda value: value.id)
    def message_notify(self, **kwargs):
        if self._policy_external_recipients(kwargs.get("partner_ids")):
            self._policy_check_may_send()
        return super().message_notify(**kwargs)

    def _policy_is_urgent(self):
        return self.priority == "1"

    def _policy_amount_company(self):
        self.ensure_one()
        return self.currency_id._convert(
            self.amount_total,
            self.company_id.currency_id,
            self.company_id,
            self.date_order or fields.Date.context_today(self),
        )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_policy_approve(self):
        return self.action_open_approve_dialog()

    def action_policy_reject(self):
        return self.action_open_reject_dialog()

    def action_run_policy_checks(self):
        self.check_access("write")
        for order in self:
            if order.state in ("draft", "sent") and order.approval_state in ("draft", "rejected"):
                order._policy_run_checks(order.policy_round + 1)
            else:
                raise UserError(
                    self.env._(
                        "Checks are run again only before a (re)submission of %(order)s.",
                        order=order.name,
                    )
                )
        return True
