import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2.errors
from pytz import utc

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, create_index, format_datetime

from .sale_policy_protected_mixin import policy_privileged
from .sale_policy_rule import DEPARTMENTS

_logger = logging.getLogger(__name__)

REVIEW_STATES = [
    ("waiting", "Waiting"),
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]


class SalePolicyReview(models.Model):
    """One step of one review round: a rule applied to a subject (a document inheriting
    `sale.policy.reviewable.mixin`: an order, a request about it...)."""

    _name = "sale.policy.review"
    _inherit = "sale.policy.protected.mixin"
    _description = "Sales Policy Review"
    _order = "order_id, review_round desc, sequence, id"
    _check_company_auto = True
    _rec_name = "name"

    # The subject: the engine dispatches the round's outcome to it.
    res_model = fields.Char(string="Subject Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Subject ID", model_field="res_model", required=True, readonly=True
    )
    subject_name = fields.Char(string="Subject", compute="_compute_subject_name")
    # The order the subject belongs to (if any): record rules, KPIs and reports read it.
    # auto_join: the reviews' record rules test the order's salesperson as a join, not as
    # a subquery over every order of that salesperson (years of history).
    order_id = fields.Many2one(
        "sale.order", ondelete="restrict", index=True, check_company=True, auto_join=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    rule_id = fields.Many2one("sale.policy.rule", required=True, ondelete="restrict")
    name = fields.Char(related="rule_id.name", string="Step")
    department = fields.Selection(DEPARTMENTS, required=True, default="sales", index=True)
    applies_to = fields.Selection(
        [("order", "Order")],
        required=True,
        default="order",
        index=True,
    )
    sequence = fields.Integer(string="Tier", required=True, default=10)
    review_round = fields.Integer(string="Round", required=True, default=1)
    state = fields.Selection(REVIEW_STATES, required=True, default="waiting", index=True)
    approval_mode = fields.Selection(
        [("any", "Any reviewer decides"), ("all", "Every reviewer must approve")],
        required=True,
        default="any",
    )
    reviewer_user_ids = fields.Many2many(
        "res.users",
        "sale_policy_review_reviewer_rel",
        "review_id",
        "user_id",
        string="Reviewers",
    )
    approved_user_ids = fields.Many2many(
        "res.users",
        "sale_policy_review_approved_rel",
        "review_id",
        "user_id",
        string="Approved by",
    )
    decided_by_id = fields.Many2one("res.users", string="Decided by", index=True)
    decided_for_id = fields.Many2one(
        "res.users", string="On Behalf of", help="The reviewer whose delegate decided."
    )
    decided_on = fields.Datetime()
    comment = fields.Text(string="Opinion")
    amount_total = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one("res.currency")
    activity_ids = fields.Many2many("mail.activity", string="Review Activities")
    # SLA
    activated_on = fields.Datetime(string="Received on", index=True)
    deadline = fields.Datetime(index=True)
    sla_hours = fields.Float(string="SLA (hours)")
    reminder_sent_on = fields.Datetime()
    sla_breached = fields.Boolean(string="SLA Breached", index=True)
    breached_on = fields.Datetime()
    escalated_on = fields.Datetime()
    decision_hours = fields.Float(help="Clock hours from receipt to decision.")
    decision_work_hours = fields.Float(help="Working hours from receipt to decision.")
    # UI helpers
    can_decide = fields.Boolean(compute="_compute_can_decide")
    partner_id = fields.Many2one(related="order_id.partner_id")
    salesperson_id = fields.Many2one(related="order_id.user_id", string="Salesperson")
    order_amount_total = fields.Monetary(
        related="order_id.amount_total", currency_field="currency_id", string="Order Total"
    )
    order_priority = fields.Selection(related="order_id.priority")

    def init(self):
        res = super().init()
        create_index(
            self.env.cr,
            "sale_policy_review_subject_index",
            self._table,
            ["res_model", "res_id"],
        )
        return res

    def _compute_subject_name(self):
        subjects = self._policy_subjects()
        for review in self:
            review.subject_name = subjects[review].display_name

    def _compute_display_name(self):
        subjects = self._policy_subjects()
        for review in self:
            review.display_name = f"{subjects[review].display_name} / {review.name}"

    def _policy_subjects(self):
        """{review: its subject}, the subjects of one model prefetched together."""
        ids_by_model = defaultdict(list)
        for review in self:
            ids_by_model[review.res_model].append(review.res_id)
        records = {
            (record._name, record.id): record
            for model, ids in ids_by_model.items()
            if model
            for record in self.env[model].browse(ids)
        }
        return {
            review: records.get((review.res_model, review.res_id))
            or self.env["sale.order"].browse()
            for review in self
        }

    def _policy_subject(self):
        """The reviewed document."""
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)

    @api.depends_context("uid")
    def _compute_can_decide(self):
        pending = self.filtered(lambda r: r.state == "pending")
        # The subjects of the whole list at once, not one query per line.
        subjects = pending.sudo()._policy_subjects()
        for review in self:
            review.can_decide = review in pending and bool(
                review._get_decider_for(
                    self.env.user, raise_if_not=False, subject=subjects.get(review)
                )
            )

    # ------------------------------------------------------------------
    # Deciding
    # ------------------------------------------------------------------

    def action_approve(self, comment=None):
        if not (comment or "").strip():
            required = self.sudo().filtered(lambda r: r.rule_id.opinion_required)
            if required:
                raise UserError(
                    self.env._(
                        "An opinion is required to approve %(steps)s.",
                        steps=", ".join(required.mapped("display_name")),
                    )
                )
        for review in self:
            review._decide("approved", comment)
        return True

    def action_reject(self, reason=None):
        if not (reason or "").strip():
            raise UserError(self.env._("A reason is required to reject a review."))
        for review in self:
            review._decide("rejected", reason.strip())
        return True

    def action_open_approve_dialog(self):
        return self._open_decision_dialog("approve")

    def action_open_reject_dialog(self):
        return self._open_decision_dialog("reject")

    def _open_decision_dialog(self, decision):
        undecidable = self.filtered(lambda r: not r.can_decide)
        if undecidable or not self:
            raise UserError(
                self.env._(
                    "You cannot decide %(steps)s now.",
                    steps=", ".join(undecidable.mapped("display_name")) or "-",
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Approve") if decision == "approve" else self.env._("Reject"),
            "res_model": "sale.policy.decision",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_review_ids": self.ids, "default_decision": decision},
        }

    def action_open_subject(self):
        """Open the reviewed document, whatever its model."""
        self.ensure_one()
        return self._policy_subject().get_formview_action()

    def action_open_order(self):
        self.ensure_one()
        return self.order_id.get_formview_action()

    def _get_decider_for(self, user, raise_if_not=True, subject=None):
        """The reviewer `user` decides for: themself, a delegator, or an escalation role.
        `subject`: the review's subject (as superuser) when the caller has it."""
        self.ensure_one()
        subject = subject or self._policy_subject().sudo()
        refusal = subject._policy_party_error(user)
        if refusal:
            if raise_if_not:
                raise AccessError(refusal)
            return False
        remaining = self.reviewer_user_ids - self.approved_user_ids
        if user in remaining:
            return user
        delegators = (
            self.env["sale.policy.delegation"].sudo()._get_delegators(user, self.company_id)
            & remaining
        )
        if delegators:
            return delegators[0]
        if (
            self.sla_breached
            and self.rule_id.escalation_can_decide
            and user in self.rule_id._get_escalation_users()
        ):
            return user
        if raise_if_not:
            raise AccessError(
                self.env._(
                    "You are not a reviewer of step %(step)s of order %(order)s.",
                    step=self.name,
                    order=subject.display_name,
                )
            )
        return False

    def _lock_for_decision(self):
        """Lock the review and its subject before deciding.

        A decision in progress on the same review gives a clean error (`NOWAIT`). Every
        decision also updates the subject's lock rows (the order of a request), so that two
        decisions of one round are serialised: the later one fails with a serialization
        error, which Odoo's RPC layer retries on a fresh snapshot, and the last approval of
        a tier always sees the others.
        """
        subject = self._policy_subject().sudo()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM sale_policy_review WHERE id = %s FOR UPDATE NOWAIT",
                        self.id,
                    )
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "Step %(step)s of %(order)s is being decided by someone else. Reload "
                    "the order to see the decision.",
                    step=self.name,
                    order=subject.display_name,
                )
            ) from None
        locked = subject._policy_lock_records()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET write_date = (now() AT TIME ZONE 'UTC') WHERE id IN %s",
                SQL.identifier(locked._table),
                tuple(locked.ids),
            )
        )
        self.invalidate_recordset()
        locked.invalidate_recordset(["write_date"])
        # Load the whole round and its rules at once (a constant number of queries).
        siblings = self._round_siblings()
        siblings.fetch(["state", "sequence", "rule_id", "reviewer_user_ids", "approved_user_ids"])
        siblings.rule_id.fetch(
            [fname for fname, field in self.rule_id._fields.items() if field.column_type]
        )

    def _decide(self, decision, comment):
        self.ensure_one()
        self._lock_for_decision()
        if self.state != "pending":
            raise UserError(
                self.env._(
                    "Step %(step)s of %(order)s has already been decided or is not open yet "
                    "(%(state)s).",
                    step=self.name,
                    order=self._policy_subject().sudo().display_name,
                    state=dict(self._fields["state"]._description_selection(self.env))[self.state],
                )
            )
        subject = self._policy_subject().sudo()
        if not subject._policy_is_under_review():
            raise UserError(subject._policy_not_under_review_message())
        user = self.env.user
        decider_for = self._get_decider_for(user)
        on_behalf = decider_for if decider_for != user else self.env["res.users"]
        now = fields.Datetime.now()
        log_event = decision == "approved" and "approve" or "reject"
        with policy_privileged():
            review = self.sudo()
            if decision == "approved":
                approved = review.approved_user_ids | decider_for
                done = review.approval_mode == "any" or not (review.reviewer_user_ids - approved)
                vals = {"approved_user_ids": [fields.Command.link(decider_for.id)]}
                if done:
                    vals.update(review._decision_values(user, on_behalf, now, comment, "approved"))
                else:
                    log_event = "partial_approve"
                review.write(vals)
            else:
                review.write(review._decision_values(user, on_behalf, now, comment, "rejected"))
            subject._policy_log(log_event, comment=comment, review=self, on_behalf_of=on_behalf)
            review._close_activities(user, decision, done=(self.state != "pending"))
            self._post_decision_message(decision, comment, on_behalf)
            if self.state == "approved":
                self._after_approval()
            elif self.state == "rejected":
                self._after_rejection()

    def _decision_values(self, user, on_behalf, now, comment, state):
        hours, work_hours = self._measure_hours(self.activated_on, now)
        return {
            "state": state,
            "decided_by_id": user.id,
            "decided_for_id": on_behalf.id,
            "decided_on": now,
            "comment": comment or False,
            "decision_hours": hours,
            "decision_work_hours": work_hours,
        }

    def _post_decision_message(self, decision, comment, on_behalf):
        document = self._policy_subject().sudo()._policy_document()
        params = {
            "step": self.name,
            "user": self.env.user.name,
            "behalf": on_behalf.name or "",
            "comment": comment or "",
        }
        if decision == "approved":
            if on_behalf:
                body = self.env._(
                    "%(step)s approved by %(user)s on behalf of %(behalf)s.", **params
                )
            else:
                body = self.env._("%(step)s approved by %(user)s.", **params)
        elif on_behalf:
            body = self.env._(
                "%(step)s rejected by %(user)s on behalf of %(behalf)s: %(comment)s", **params
            )
        else:
            body = self.env._("%(step)s rejected by %(user)s: %(comment)s", **params)
        if comment and decision == "approved":
            body = f"{body} {comment}"
        # message_post escapes plain strings, so comments never inject HTML.
        document.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _close_activities(self, user, decision, done):
        activities = self.activity_ids.sudo().exists()
        mine = activities.filtered(lambda a: a.user_id == user)
        feedback = self.env._("Approved") if decision == "approved" else self.env._("Rejected")
        if mine:
            mine.action_feedback(feedback=feedback)
        if done:
            (activities - mine).exists().unlink()

    @api.model
    def _demo_decide(self, order, user, decision, comment=None):
        """Demo data only: `user` decides their pending step on `order` (never from RPC)."""
        review = order.policy_review_ids.filtered(
            lambda r: r.state == "pending" and user in r.reviewer_user_ids
        )[:1]
        # In the reviewer's language, as in the web client: the log keeps the step's name.
        review = review.with_user(user).with_context(lang=user.lang)
        if decision == "approved":
            review.action_approve(comment)
        else:
            review.action_reject(comment)

    # ------------------------------------------------------------------
    # Round progression
    # ------------------------------------------------------------------

    def _round_siblings(self):
        """Every review of the same subject and round."""
        self.ensure_one()
        return self.sudo().search(self._round_domain())

    def _round_domain(self):
        return [
            ("res_model", "=", self.res_model),
            ("res_id", "=", self.res_id),
            ("review_round", "=", self.review_round),
        ]

    def _after_approval(self):
        siblings = self._round_siblings()
        tier = siblings.filtered(lambda r: r.sequence == self.sequence)
        if any(r.state != "approved" for r in tier):
            return
        waiting = siblings.filtered(lambda r: r.state == "waiting")
        if waiting:
            next_sequence = min(waiting.mapped("sequence"))
            waiting.filtered(lambda r: r.sequence == next_sequence)._activate()
        else:
            self._on_round_approved()

    def _after_rejection(self):
        open_reviews = self._round_siblings().filtered(lambda r: r.state in ("waiting", "pending"))
        with policy_privileged():
            for review in open_reviews:
                review.activity_ids.sudo().exists().unlink()
            open_reviews.sudo().write({"state": "cancelled"})
        self._on_round_rejected()

    def _on_round_approved(self):
        """The whole round is approved: the subject's hook says what follows."""
        self._policy_subject().sudo()._policy_on_approved()

    def _on_round_rejected(self):
        self._policy_subject().sudo()._policy_on_rejected(self)

    @api.model
    def _policy_start_round(self, subject, review_round=1, checks=None):
        """Create the reviews of every rule that applies to `subject` (a reviewable
        document); open the first tier. `checks` are the results the rules look at
        (default: the subject's current ones).

        Returns the created reviews (empty when no rule applies)."""
        applies_to = subject._policy_applies_to()
        company = subject._policy_company()
        rules = (
            self.env["sale.policy.rule"]
            .sudo()
            .search([("company_id", "=", company.id), ("applies_to", "=", applies_to)])
        )
        amount = subject._policy_amount_company()
        if checks is None:
            checks = subject._policy_review_checks()
        failing_type_ids = set(checks.filtered(lambda c: c.result != "pass").check_type_id.ids)
        matching = rules.filtered(lambda rule: rule._applies(subject, amount, failing_type_ids))
        common = {
            "res_model": subject._name,
            "res_id": subject.id,
            "company_id": company.id,
            "applies_to": applies_to,
            "review_round": review_round,
            "state": "waiting",
            **subject._policy_review_values(),
            **self._policy_round_values(subject),
        }
        vals_list = [
            {
                **common,
                "rule_id": rule.id,
                "department": rule.department,
                "sequence": rule.sequence,
                "approval_mode": rule.approval_mode,
            }
            for rule in matching
        ]
        with policy_privileged():
            reviews = self.sudo().create(vals_list)
        if reviews:
            first = min(reviews.mapped("sequence"))
            reviews.filtered(lambda r: r.sequence == first)._activate()
        return reviews

    def _activate(self):
        """Open these reviews: reviewers, deadline, one activity per reviewer (all created
        in one batch; Odoo's assignment e-mail follows from the cron right after commit)."""
        now = fields.Datetime.now()
        # The id from the (cached) xmlid table: env.ref() would query the type's existence.
        activity_type_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "sale_order_policy.mail_activity_type_policy_review"
        )
        openings, activity_vals = [], []
        for review in self:
            subject = review._policy_subject().sudo()
            reviewers = review.rule_id._get_reviewers(subject)
            if not reviewers:
                raise UserError(
                    self.env._(
                        "Nobody can review step %(step)s of %(order)s: its reviewers are "
                        "missing, inactive, or the order's own salesperson. Ask a policy "
                        "administrator to fix the rule.",
                        step=review.name,
                        order=subject.display_name,
                    )
                )
            sla, deadline = review._step_deadline(now)
            openings.append((review, reviewers, sla, deadline))
            activity_vals += [
                review._activity_values(user, deadline, activity_type_id) for user in reviewers
            ]
        with policy_privileged():
            activities = iter(
                self.env["mail.activity"].sudo()._policy_create_deferred(activity_vals)
            )
            for review, reviewers, sla, deadline in openings:
                review.sudo().write(
                    {
                        "state": "pending",
                        "reviewer_user_ids": [fields.Command.set(reviewers.ids)],
                        "activated_on": now,
                        "sla_hours": sla,
                        "deadline": deadline,
                        "activity_ids": [
                            fields.Command.set([next(activities).id for _user in reviewers])
                        ],
                    }
                )
            self.env["sale.order"]._policy_add_readers(
                [
                    (review.order_id.id, user.id)
                    for review, reviewers, _sla, _deadline in openings
                    if review.order_id
                    for user in reviewers
                ]
            )

    def _activity_values(self, user, deadline, activity_type_id):
        """The review activity of `user`, worded in the reviewer's language and timezone."""
        self.ensure_one()
        env = self.with_context(lang=user.lang or self.env.lang, tz=user.tz).env
        document = self._policy_subject().sudo()._policy_document()
        return {
            "res_model_id": self.env["ir.model"]._get_id(document._name),
            "res_id": document.id,
            "activity_type_id": activity_type_id,
            "automated": True,
            "user_id": user.id,
            "summary": env._("Review: %(step)s", step=self.with_env(env).name),
            "note": env._(
                "Please review %(order)s before %(deadline)s.",
                order=document.display_name,
                deadline=format_datetime(env, deadline, tz=user.tz),
            ),
            "date_deadline": fields.Datetime.context_timestamp(self.with_env(env), deadline).date(),
        }

    # ------------------------------------------------------------------
    # SLA
    # ------------------------------------------------------------------

    def _get_calendar(self):
        self.ensure_one()
        return self.rule_id.calendar_id or self.company_id.sale_policy_calendar_id

    @api.model
    def _policy_round_values(self, subject):
        """Values shared by every review of a new round (the SLA adds its deadline)."""
        return {}

    def _step_deadline(self, start):
        """(hours, deadline) of this step opened at `start`."""
        self.ensure_one()
        sla = self._get_sla_hours()
        return sla, self._compute_deadline(start, sla)

    def _get_sla_hours(self):
        self.ensure_one()
        rule = self.rule_id
        if self.order_id.priority == "1" and rule.sla_hours_urgent:
            return rule.sla_hours_urgent
        return rule.sla_hours or self.company_id.sale_policy_sla_hours or 24.0

    def _compute_deadline(self, start, hours):
        self.ensure_one()
        calendar = self._get_calendar()
        if not calendar:
            return start + timedelta(hours=hours)
        deadline = calendar.plan_hours(hours, start, compute_leaves=True)
        return deadline and deadline.replace(tzinfo=None) or start + timedelta(hours=hours)

    def _measure_hours(self, start, end):
        if not start or not end or end <= start:
            return 0.0, 0.0
        clock = (end - start).total_seconds() / 3600
        calendar = self._get_calendar()
        if not calendar:
            return clock, clock
        work = calendar.get_work_hours_count(
            utc.localize(start), utc.localize(end), compute_leaves=True
        )
        return clock, work
