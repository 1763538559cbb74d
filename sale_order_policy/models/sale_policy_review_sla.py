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
        author = self.env.user.partner_id
        subtype = self.env.ref("mail.mt_note")
        activity_type = self.env.ref("sale_order_policy.mail_activity_type_policy_escalation")
        activity_vals, activity_reviews, message_vals, log_entries = [], [], [], []
        documents_by_user = defaultdict(set)
        documents = self._sla_documents()
        escalated_pairs = []
        escalation_users = {rule: rule._get_escalation_users() for rule in self.rule_id}
        for review in self:
            targets = escalation_users[review.rule_id].filtered(
                lambda user, review=review: review.company_id in user.company_ids
            )
            document = documents[review]
            params = {
                "step": review.name,
                "order": document.display_name,
                "reviewers": ", ".join(review.reviewer_user_ids.mapped("name")),
                "targets": ", ".join(targets.mapped("name")),
            }
            escalated_pairs += [(review.id, user.id) for user in targets]
            for (lang, tz), users in self._sla_group_by_locale(targets).items():
                localized = review.with_context(lang=lang)
                local = dict(
                    params,
                    deadline=format_datetime(localized.env, review.deadline, tz=tz),
                    overdue=localized._sla_format_overdue(now - review.deadline),
                )
                body = localized.env._(
                    "Review overdue: step %(step)s of %(order)s was due on %(deadline)s and "
                    "is %(overdue)s late. Reviewers: %(reviewers)s. Escalated to %(targets)s.",
                    **local,
                )
                if review.rule_id.escalation_can_decide:
                    body += " " + localized.env._("You may now approve or reject this step.")
                message_vals.append(
                    review._sla_message_vals(
                        body, users.partner_id, author, subtype, documents[review]
                    )
                )
                today = now.replace(tzinfo=pytz.utc).astimezone(pytz.timezone(tz)).date()
                for user in users:
                    activity_vals.append(
                        {
                            "res_model_id": self.env["ir.model"]._get_id(document._name),
                            "res_id": document.id,
                            "activity_type_id": activity_type.id,
                            "user_id": user.id,
                            "date_deadline": today,
                            "summary": localized.env._(
                                "Overdue review: %(step)s", step=review.name
                            ),
                            "note": plaintext2html(body),
                        }
                    )
                    activity_reviews.append(review.id)
                    documents_by_user[(user.id, document._name)].add(document.id)
            log_entries.append(
                {
                    "order": review.order_id,
                    "company_id": review.company_id.id,
                    "event": "escalate",
                    "review": review,
                    "comment": self.env._(
                        "Deadline %(deadline)s (UTC) passed by %(overdue)s. Reviewers: "
                        "%(reviewers)s. Escalated to %(targets)s.",
                        deadline=fields.Datetime.to_string(review.deadline),
                        overdue=self._sla_format_overdue(now - review.deadline),
                        **{key: params[key] for key in ("reviewers", "targets")},
                    )
                    if targets
                    else self.env._(
                        "Deadline %(deadline)s (UTC) passed; nobody to escalate to.",
                        deadline=fields.Datetime.to_string(review.deadline),
                    ),
                }
            )
        # Follow the documents first, one call per user: the activities' own subscription
        # would insert the same follower twice for two steps of one order.
        for (user_id, model), document_ids in documents_by_user.items():
            self.env[model].sudo().browse(document_ids).message_subscribe(
                partner_ids=self.env["res.users"].browse(user_id).partner_id.ids
            )
        with policy_privileged():
            self.sudo().write({"sla_breached": True, "breached_on": now, "escalated_on": now})
            activities = (
                self.env["mail.activity"]
                .sudo()
                .with_context(mail_activity_quick_update=True)
                .create(activity_vals)
            )
            # Escalation activities close with the step's decision, like the reviewers' own.
            self._sla_link("activity_ids", list(zip(activity_reviews, activities.ids, strict=True)))
            self._sla_link("escalation_user_ids", escalated_pairs)
            order_of = {review.id: review.order_id.id for review in self}
            self.env["sale.order"]._policy_add_readers(
                [
                    (order_of[review_id], user_id)
                    for review_id, user_id in escalated_pairs
                    if order_of[review_id]
                ]
            )
            self._sla_create_messages(message_vals)
            self.env["sale.policy.log"]._policy_add_many(log_entries)

    def _sla_process(self, now):
        """Escalate the reviews past their deadline, remind those past the reminder share."""
        to_escalate = self.filtered(lambda r: not r.escalated_on and r.deadline <= now)
        to_remind = (self - to_escalate).filtered(
            lambda r: not r.reminder_sent_on and not r.sla_breached and r._sla_reminder_due() <= now
        )
        to_escalate._sla_escalate(now)
        to_remind._sla_send_reminders(now)
        return len(to_escalate) + len(to_remind)

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
