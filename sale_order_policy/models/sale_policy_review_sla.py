import logging
import threading
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, create_index, format_datetime, plaintext2html

from ..tools.many2many import link_pairs
from .sale_policy_protected_mixin import policy_privileged

_logger = logging.getLogger(__name__)

SLA_BATCH_SIZE = 500
SLA_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("overdue", "Overdue"),
    ("met", "Met"),
    ("missed", "Missed"),
]


class SalePolicyReview(models.Model):
    """The review SLA (审核时限): reminder, breach and escalation of pending reviews."""

    _inherit = "sale.policy.review"

    round_deadline = fields.Datetime(
        string="Order Review Deadline",
        readonly=True,
        index=True,
        help="When the whole review of this submission is due: the company's review SLA "
        "from submission. Every step's deadline is capped by it.",
    )
    round_breached_on = fields.Datetime(
        string="Order Deadline Missed on",
        readonly=True,
        help="When the submission passed its review deadline with steps still open.",
    )
    reminder_due_on = fields.Datetime(
        string="Reminder Due on",
        help="When the reminder share of the SLA has elapsed (working hours when the step "
        "follows a working calendar).",
    )
    escalation_user_ids = fields.Many2many(
        "res.users",
        "sale_policy_review_escalation_rel",
        "review_id",
        "user_id",
        string="Escalated to",
        help="Told of the breached deadline; they may read the order, and decide the step "
        "when its rule allows it.",
    )
    sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA Status",
        compute="_compute_sla_status",
        search="_search_sla_status",
    )
    sla_due_today = fields.Boolean(
        string="Due Today", compute="_compute_sla_due_today", search="_search_sla_due_today"
    )

    def init(self):
        res = super().init()
        # The cron scans only open reviews: keep that scan small on a big history.
        create_index(
            self.env.cr,
            "sale_policy_review_sla_open_idx",
            self._table,
            ["deadline", "id"],
            where="state = 'pending' AND escalated_on IS NULL",
        )
        return res

    @api.depends("state", "deadline", "reminder_due_on", "sla_breached")
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for review in self:
            review.sla_status = review._sla_status_at(now)

    def _search_sla_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the SLA status."))
        values = set(value) if isinstance(value, list | tuple | set) else {value}
        now = fields.Datetime.now()
        pending = [("state", "=", "pending"), ("deadline", "!=", False)]
        domains = {
            "overdue": [*pending, "|", ("sla_breached", "=", True), ("deadline", "<=", now)],
            "at_risk": [
                *pending,
                ("sla_breached", "=", False),
                ("deadline", ">", now),
                ("reminder_due_on", "<=", now),
            ],
            "on_track": [
                *pending,
                ("sla_breached", "=", False),
                ("deadline", ">", now),
                "|",
                ("reminder_due_on", "=", False),
                ("reminder_due_on", ">", now),
            ],
            "met": [
                ("state", "in", ("approved", "rejected")),
                ("deadline", "!=", False),
                ("sla_breached", "=", False),
            ],
            "missed": [("state", "in", ("approved", "rejected")), ("sla_breached", "=", True)],
            False: [
                "|",
                ("deadline", "=", False),
                ("state", "not in", ("pending", "approved", "rejected")),
            ],
        }
        domain = expression.OR([domains[value] for value in values if value in domains])
        if operator in ("!=", "not in"):
            return ["!", *expression.normalize_domain(domain)]
        return domain

    @api.depends("state", "deadline")
    @api.depends_context("tz")
    def _compute_sla_due_today(self):
        start, end = self._sla_today_bounds()
        for review in self:
            review.sla_due_today = bool(
                review.state == "pending" and review.deadline and start <= review.deadline < end
            )

    def _search_sla_due_today(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Due Today."))
        start, end = self._sla_today_bounds()
        domain = [("state", "=", "pending"), ("deadline", ">=", start), ("deadline", "<", end)]
        return domain if (operator == "=") == value else ["!", "&", "&", *domain]

    def _sla_today_bounds(self):
        """Today of the user's timezone, as naive UTC bounds."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        today = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(tz).date()
        return tuple(
            tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
            for day in (today, today + timedelta(days=1))
        )

    # ------------------------------------------------------------------
    # Engine hooks
    # ------------------------------------------------------------------

    @api.model
    def _policy_round_values(self, subject):
        """The submission's review deadline (各相关部门应在收到订单后24小时内完成审核): the
        company's hours (urgent ones for an urgent subject), on its calendar."""
        values = super()._policy_round_values(subject)
        company = subject._policy_company()
        hours = (
            company.sale_policy_sla_hours_urgent
            if subject._policy_is_urgent()
            else company.sale_policy_sla_hours
        ) or 24.0
        start = fields.Datetime.now()
        values["round_deadline"] = self._plan_hours(company.sale_policy_calendar_id, start, hours)
        return values

    @api.model
    def _plan_hours(self, calendar, start, hours):
        if not calendar:
            return start + timedelta(hours=hours)
        deadline = calendar.plan_hours(hours, start, compute_leaves=True)
        return deadline and deadline.replace(tzinfo=None) or start + timedelta(hours=hours)

    def _get_calendar(self):
        # A step due with the order follows the company's calendar, like the order deadline.
        if self.rule_id.sla_scope == "order":
            return self.company_id.sale_policy_calendar_id
        return super()._get_calendar()

    def _step_deadline(self, start):
        """Due with the order, or after its own hours but never after the order."""
        sla, deadline = super()._step_deadline(start)
        if not self.round_deadline:
            return sla, deadline
        if self.rule_id.sla_scope == "order" or self.round_deadline < deadline:
            deadline = max(self.round_deadline, start)
            sla = self._measure_hours(start, deadline)[1]
        return sla, deadline

    def _activate(self):
        res = super()._activate()
        for review in self:
            percent = review.company_id.sale_policy_reminder_percent or 75.0
            due = review._compute_deadline(review.activated_on, review.sla_hours * percent / 100)
            with policy_privileged():
                review.sudo().write({"reminder_due_on": due})
        return res

    def _decision_values(self, user, on_behalf, now, comment, state):
        vals = super()._decision_values(user, on_behalf, now, comment, state)
        # Decided late before the cron noticed: the step still missed its deadline.
        if not self.sla_breached and self.deadline and now > self.deadline:
            vals.update(sla_breached=True, breached_on=now)
        return vals

    # ------------------------------------------------------------------
    # SLA helpers
    # ------------------------------------------------------------------

    def _sla_status_at(self, now):
        self.ensure_one()
        if not self.deadline:
            return False
        if self.state == "pending":
            if self.sla_breached or now >= self.deadline:
                return "overdue"
            if self.reminder_due_on and now >= self.reminder_due_on:
                return "at_risk"
            return "on_track"
        if self.state in ("approved", "rejected"):
            return "missed" if self.sla_breached else "met"
        return False

    def _sla_reminder_due(self):
        """When the reminder is due; reviews opened before the field existed use clock time."""
        self.ensure_one()
        if self.reminder_due_on:
            return self.reminder_due_on
        percent = self.company_id.sale_policy_reminder_percent or 75.0
        return self.activated_on + (self.deadline - self.activated_on) * (percent / 100)

    def _sla_format_overdue(self, delta):
        minutes = max(int(delta.total_seconds() // 60), 0)
        days, minutes = divmod(minutes, 24 * 60)
        hours, minutes = divmod(minutes, 60)
        if days:
            return self.env._(
                "%(days)s d %(hours)s h %(minutes)s min", days=days, hours=hours, minutes=minutes
            )
        return self.env._("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)

    @api.model
    def _sla_group_by_locale(self, users):
        """{(lang, tz): users}: one message per language and timezone of its readers."""
        groups = defaultdict(lambda: self.env["res.users"])
        for user in users:
            groups[(user.lang or "en_US", user.tz or "UTC")] |= user
        return groups

    def _sla_message_vals(self, body, partners, author, subtype, document):
        """A chatter note on `document` (of the review) that lands in the partners' inbox."""
        self.ensure_one()
        return {
            "model": document._name,
            "res_id": document.id,
            "message_type": "notification",
            "subtype_id": subtype.id,
            "author_id": author.id,
            "body": plaintext2html(body),
            "partner_ids": [Command.set(partners.ids)],
            "notification_ids": [
                Command.create(
                    {
                        "res_partner_id": partner.id,
                        "notification_type": "inbox",
                        "notification_status": "sent",
                    }
                )
                for partner in partners
            ],
        }

    @api.model
    def _sla_create_messages(self, vals_list):
        """Create the notes in one go; reply-to addresses are resolved once per batch."""
        if not vals_list:
            return self.env["mail.message"]
        author = self.env.user.partner_id
        ids_by_model = defaultdict(set)
        for vals in vals_list:
            ids_by_model[vals["model"]].add(vals["res_id"])
        reply_to = {
            (model, res_id): address
            for model, ids in ids_by_model.items()
            for res_id, address in self.env[model]
            .sudo()
            .browse(ids)
            ._notify_get_reply_to(default=author.email_formatted)
            .items()
        }
        for vals in vals_list:
            vals.update(
                email_from=author.email_formatted,
                reply_to=reply_to[(vals["model"], vals["res_id"])],
            )
        return self.env["mail.message"].sudo().create(vals_list)

    def _sla_documents(self):
        """{review: the record its notes and activities go to}, read once for the batch."""
        subjects = self.sudo()._policy_subjects()
        return {review: subjects[review]._policy_document() for review in self}

    def _sla_link(self, fname, pairs):
        """Add (review id, record id) pairs to a many2many of the reviews in one insert."""
        link_pairs(self, fname, pairs)

    # ------------------------------------------------------------------
    # Reminder and escalation
    # ------------------------------------------------------------------

    def _sla_delegates(self):
        """{(reviewer id, company id): today's substitutes}, in one query for the batch."""
        delegates = defaultdict(lambda: self.env["res.users"])
        today = fields.Date.context_today(self)
        delegations = (
            self.env["sale.policy.delegation"]
            .sudo()
            .search(
                [
                    ("user_id", "in", self.reviewer_user_ids.ids),
                    ("company_id", "in", self.company_id.ids),
                    ("date_from", "<=", today),
                    ("date_to", ">=", today),
                ]
            )
        )
        for delegation in delegations:
            key = (delegation.user_id.id, delegation.company_id.id)
            delegates[key] |= delegation.delegate_id
        return delegates

    def _sla_send_reminders(self, now):
        """Tell the reviewers who still have to decide that the step falls due soon."""
        if not self:
            return
        author = self.env.user.partner_id
        subtype = self.env.ref("mail.mt_note")
        message_vals, log_entries = [], []
        delegates = self._sla_delegates()
        documents = self._sla_documents()
        for review in self:
            reviewers = review.reviewer_user_ids - review.approved_user_ids
            recipients = reviewers.union(
                *(delegates[(user.id, review.company_id.id)] for user in reviewers)
            )
            for (lang, tz), users in self._sla_group_by_locale(recipients).items():
                localized = review.with_context(lang=lang)
                body = localized.env._(
                    "Reminder: step %(step)s of %(order)s is due on %(deadline)s.",
                    step=review.name,
                    order=documents[review].display_name,
                    deadline=format_datetime(localized.env, review.deadline, tz=tz),
                )
                message_vals.append(
                    review._sla_message_vals(
                        body, users.partner_id, author, subtype, documents[review]
                    )
                )
            log_entries.append(
                {
                    "order": review.order_id,
                    "company_id": review.company_id.id,
                    "event": "reminder",
                    "review": review,
                    "comment": self.env._(
                        "Reminder sent to %(reviewers)s; due on %(deadline)s (UTC).",
                        reviewers=", ".join(reviewers.mapped("name")),
                        deadline=fields.Datetime.to_string(review.deadline),
                    ),
                }
            )
        with policy_privileged():
            self.sudo().write({"reminder_sent_on": now})
            self._sla_create_messages(message_vals)
            self.env["sale.policy.log"]._policy_add_many(log_entries)

    def _sla_escalate(self, now):
        """Record the breach and tell each escalation user, with an activity and a message."""
        if not self:
            return
        documents = self._sla_documents()
        escalation_users = {rule: rule._get_escalation_users() for rule in self.rule_id}
        notices = {
            "messages": [],
            "activities": [],
            "activity_reviews": [],
            "followers": {},
            # Looked up once per batch: env.ref() checks the record exists each time.
            "author": self.env.user.partner_id,
            "subtype": self.env.ref("mail.mt_note"),
            "activity_type": self.env.ref("sale_order_policy.mail_activity_type_policy_escalation"),
        }
        escalated_pairs, log_entries = [], []
        for review in self:
            targets = escalation_users[review.rule_id].filtered(
                lambda user, review=review: review.company_id in user.company_ids
            )
            escalated_pairs += [(review.id, user.id) for user in targets]
            review._sla_escalation_notices(targets, documents[review], now, notices)
            log_entries.append(review._sla_escalation_log(targets, now))
        self._sla_follow(notices["followers"])
        with policy_privileged():
            self.sudo().write({"sla_breached": True, "breached_on": now, "escalated_on": now})
            activities = (
                self.env["mail.activity"]
                .sudo()
                .with_context(mail_activity_quick_update=True)
                .create(notices["activities"])
            )
            # Escalation activities close with the step's decision, like the reviewers' own.
            self._sla_link(
                "activity_ids",
                list(zip(notices["activity_reviews"], activities.ids, strict=True)),
            )
            self._sla_link("escalation_user_ids", escalated_pairs)
            order_of = {review.id: review.order_id.id for review in self}
            self.env["sale.order"]._policy_add_readers(
                [(order_of[rid], uid) for rid, uid in escalated_pairs if order_of[rid]]
            )
            self._sla_create_messages(notices["messages"])
            self.env["sale.policy.log"]._policy_add_many(log_entries)

    def _sla_escalation_notices(self, targets, document, now, notices):
        """Add the message and the activities telling `targets` of this step's breach, in
        each one's language and timezone."""
        self.ensure_one()
        author, subtype = notices["author"], notices["subtype"]
        activity_type = notices["activity_type"]
        # Read in the batch's environment (prefetched), then worded per reader.
        params = {
            "step": self.name,
            "order": document.display_name,
            "reviewers": ", ".join(self.reviewer_user_ids.mapped("name")),
            "targets": ", ".join(targets.mapped("name")),
        }
        for (lang, tz), users in self._sla_group_by_locale(targets).items():
            localized = self.with_context(lang=lang)
            body = self._sla_escalation_body(localized.env, params, now, tz)
            notices["messages"].append(
                self._sla_message_vals(body, users.partner_id, author, subtype, document)
            )
            today = now.replace(tzinfo=pytz.utc).astimezone(pytz.timezone(tz)).date()
            for user in users:
                notices["activities"].append(
                    {
                        "res_model_id": self.env["ir.model"]._get_id(document._name),
                        "res_id": document.id,
                        "activity_type_id": activity_type.id,
                        "user_id": user.id,
                        "date_deadline": today,
                        "summary": localized.env._("Overdue review: %(step)s", step=params["step"]),
                        "note": plaintext2html(body),
                    }
                )
                notices["activity_reviews"].append(self.id)
                notices["followers"].setdefault((user.id, document._name), set()).add(document.id)

    def _sla_escalation_body(self, env, params, now, tz):
        body = env._(
            "Review overdue: step %(step)s of %(order)s was due on %(deadline)s and is "
            "%(overdue)s late. Reviewers: %(reviewers)s. Escalated to %(targets)s.",
            deadline=format_datetime(env, self.deadline, tz=tz),
            overdue=self.with_env(env)._sla_format_overdue(now - self.deadline),
            **params,
        )
        if self.rule_id.escalation_can_decide:
            body += " " + env._("You may now approve or reject this step.")
        return body

    def _sla_escalation_log(self, targets, now):
        self.ensure_one()
        deadline = fields.Datetime.to_string(self.deadline)
        if targets:
            comment = self.env._(
                "Deadline %(deadline)s (UTC) passed by %(overdue)s. Reviewers: "
                "%(reviewers)s. Escalated to %(targets)s.",
                deadline=deadline,
                overdue=self._sla_format_overdue(now - self.deadline),
                reviewers=", ".join(self.reviewer_user_ids.mapped("name")),
                targets=", ".join(targets.mapped("name")),
            )
        else:
            comment = self.env._(
                "Deadline %(deadline)s (UTC) passed; nobody to escalate to.", deadline=deadline
            )
        return {
            "order": self.order_id,
            "company_id": self.company_id.id,
            "event": "escalate",
            "review": self,
            "comment": comment,
        }

    def _sla_follow(self, documents_by_user):
        """Follow the documents first, one call per user: the activities' own subscription
        would insert the same follower twice for two steps of one order."""
        for (user_id, model), document_ids in documents_by_user.items():
            self.env[model].sudo().browse(document_ids).message_subscribe(
                partner_ids=self.env["res.users"].browse(user_id).partner_id.ids
            )

    def _sla_breach_rounds(self, now, notify=None):
        """The order-level breach: a submission whose review deadline passed with steps
        still open is recorded once, logged, and told to the escalation users of its open
        steps (on top of each late step's own escalation)."""
        rounds = defaultdict(lambda: self.env["sale.policy.review"])
        for review in self:
            rounds[(review.res_model, review.res_id, review.review_round)] |= review
        documents = self._sla_documents()
        author, subtype = self.env.user.partner_id, self.env.ref("mail.mt_note")
        messages, log_entries = [], []
        for open_steps in rounds.values():
            first = open_steps[0]
            targets = (
                self.env["res.users"]
                .union(*(rule._get_escalation_users() for rule in open_steps.rule_id))
                .filtered(lambda user, first=first: first.company_id in user.company_ids)
            )
            if notify is not None and not (open_steps & notify):
                targets = self.env["res.users"]
            for (lang, tz), users in self._sla_group_by_locale(targets).items():
                body = first.with_context(lang=lang)._sla_round_breach_body(
                    open_steps, documents[first], now, tz
                )
                messages.append(
                    first._sla_message_vals(
                        body, users.partner_id, author, subtype, documents[first]
                    )
                )
            log_entries.append(
                {
                    "order": first.order_id,
                    "company_id": first.company_id.id,
                    "event": "round_breach",
                    "review": first,
                    "comment": first._sla_round_breach_body(
                        open_steps, documents[first], now, "UTC"
                    ),
                }
            )
        siblings = self.sudo().search(
            expression.OR(
                [
                    [("res_model", "=", model), ("res_id", "=", res_id), ("review_round", "=", rnd)]
                    for model, res_id, rnd in rounds
                ]
            )
        )
        with policy_privileged():
            siblings.write({"round_breached_on": now})
            self._sla_create_messages(messages)
            self.env["sale.policy.log"]._policy_add_many(log_entries)

    def _sla_round_breach_body(self, open_steps, document, now, tz):
        return self.env._(
            "The review of %(order)s (round %(round)s) was due on %(deadline)s and is "
            "%(overdue)s late: %(steps)s still open.",
            order=document.display_name,
            round=self.review_round,
            deadline=format_datetime(self.env, self.round_deadline, tz=tz),
            overdue=self._sla_format_overdue(now - self.round_deadline),
            steps=", ".join(open_steps.mapped("name")),
        )

    def _sla_process(self, now):
        """Escalate the reviews past their deadline, remind those past the reminder share,
        and record the submissions past their review deadline."""
        to_escalate = self.filtered(lambda r: not r.escalated_on and r.deadline <= now)
        to_remind = (self - to_escalate).filtered(
            lambda r: not r.reminder_sent_on and not r.sla_breached and r._sla_reminder_due() <= now
        )
        rounds_due = self.filtered(
            lambda r: r.round_deadline and not r.round_breached_on and r.round_deadline <= now
        )
        to_escalate._sla_escalate(now)
        to_remind._sla_send_reminders(now)
        # Steps due with their order were just escalated: the order's breach is logged, and
        # told on its own only when a step with its own SLA was escalated before.
        told_by_steps = rounds_due.filtered(lambda r: r in to_escalate)
        rounds_due._sla_breach_rounds(now, notify=rounds_due - told_by_steps)
        return len(to_escalate) + len(to_remind) + len(rounds_due - told_by_steps)

    @api.model
    def _sla_due_query(self, now, exclude_ids, limit=None, lock=False):
        return SQL(
            """
            SELECT review.id
              FROM sale_policy_review review
              JOIN res_company company ON company.id = review.company_id
             WHERE review.state = 'pending'
               AND review.deadline IS NOT NULL
               AND review.id != ALL(%(exclude)s::int[])
               AND (
                    (review.escalated_on IS NULL AND review.deadline <= %(now)s)
                 OR (review.round_breached_on IS NULL AND review.round_deadline <= %(now)s)
                 OR (review.reminder_sent_on IS NULL
                     AND NOT COALESCE(review.sla_breached, FALSE)
                     AND COALESCE(
                            review.reminder_due_on,
                            review.activated_on + (review.deadline - review.activated_on)
                                * (COALESCE(company.sale_policy_reminder_percent, 75.0) / 100)
                         ) <= %(now)s)
               )
             ORDER BY review.deadline, review.id
             %(limit)s %(lock)s
            """,
            exclude=list(exclude_ids),
            now=now,
            limit=SQL("LIMIT %s", limit) if limit else SQL(),
            lock=SQL("FOR UPDATE OF review SKIP LOCKED") if lock else SQL(),
        )

    @api.model
    def _cron_check_sla(self, batch_size=SLA_BATCH_SIZE):
        """Remind, breach and escalate the pending reviews; running it again changes nothing.

        Reviews are taken by batches locked with ``SKIP LOCKED`` (two workers never handle
        the same review); each batch is committed when running as a real cron. A batch that
        fails is replayed review by review, and a review that still fails is logged and
        skipped until the next run. Returns the number of reviews reminded or escalated.
        """
        reviews = self.sudo()
        cr = self.env.cr
        auto_commit = bool(self.env.context.get("ir_cron_progress_id")) and not getattr(
            threading.current_thread(), "testing", False
        )
        now = fields.Datetime.now()
        failed, done = set(), 0
        while True:
            self.env.flush_all()
            cr.execute(reviews._sla_due_query(now, failed, limit=batch_size, lock=True))
            batch = reviews.browse([row[0] for row in cr.fetchall()])
            if not batch:
                break
            try:
                with cr.savepoint():
                    done += batch._sla_process(now)
            except Exception:  # noqa: BLE001 - one bad review must not stop the others
                _logger.warning("SLA batch failed, retrying review by review", exc_info=True)
                for review in batch:
                    try:
                        with cr.savepoint():
                            done += review._sla_process(now)
                    except Exception:  # noqa: BLE001
                        _logger.exception("SLA check failed for review %s; skipped", review.id)
                        failed.add(review.id)
            if auto_commit:
                self.env["ir.cron"]._notify_progress(done=done, remaining=0)
                # One commit per batch, only in a real cron: the work done so far is kept.
                cr.commit()  # pylint: disable=invalid-commit
        if failed:
            _logger.error("SLA check skipped %s failing reviews: %s", len(failed), sorted(failed))
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        return done
