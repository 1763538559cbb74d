import base64
import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.sale.models.sale_order import SALE_ORDER_STATE
from odoo.tools import SQL, create_index

from ..models.sale_order import APPROVAL_STATES

_logger = logging.getLogger(__name__)

# Policy log events that stand for a change or cancellation request (变更/取消).
CHANGE_LOG_EVENTS = ("change_request", "cancel_request")
# Weights of the assessment score (考核得分): accuracy, the salesperson's own speed
# (handled in time), satisfaction.
SCORE_WEIGHTS = (0.4, 0.3, 0.3)


def policy_score(accuracy, speed, satisfaction):
    """Assessment score out of 100 from rates in [0, 1] and a rating out of 5.

    A KPI without data (no review, no rating) is left out and the others re-weighted."""
    parts = [
        (weight, value)
        for weight, value in zip(
            SCORE_WEIGHTS,
            (accuracy, speed, satisfaction / 5 if satisfaction is not None else None),
            strict=True,
        )
        if value is not None
    ]
    if not parts:
        return 0.0
    return round(100 * sum(w * v for w, v in parts) / sum(w for w, _v in parts), 1)


class SalePolicyKpiReport(models.Model):
    """Assessment (考核) of sales order handling: one row per order that reached submission.

    Every measure is summable or averageable so pivot, graph, scorecards and exports derive
    the per-salesperson rates (accuracy %, SLA compliance %, on-time %, satisfaction, DSO)
    from one grouped query."""

    _name = "sale.policy.kpi.report"
    _description = "Sales Order Policy KPI Analysis"
    _auto = False
    _rec_name = "name"
    _order = "date_order desc, id desc"
    # Fields the SQL reads: flushed before any query on the report.
    _depends = {
        "sale.order": [
            "name",
            "date_order",
            "user_id",
            "team_id",
            "partner_id",
            "company_id",
            "priority",
            "state",
            "approval_state",
            "amount_total",
            "currency_rate",
            "commitment_date",
            "policy_round",
            "policy_submitted_on",
            "policy_approved_on",
            "policy_confirmed_on",
            "policy_delivered_on",
            "policy_invoiced_on",
            "policy_paid_on",
            "policy_on_time",
            "policy_intake_on",
            "create_date",
        ],
        "sale.policy.review": [
            "order_id",
            "applies_to",
            "review_round",
            "sequence",
            "state",
            "sla_breached",
            "decision_hours",
            "decision_work_hours",
            "decided_on",
            "decided_by_id",
            "activated_on",
            "deadline",
        ],
        "sale.policy.log": ["order_id", "event", "change_id", "date"],
        "sale.policy.change": ["initiated_by"],
        "sale.policy.exception": ["order_id"],
        "rating.rating": ["res_model", "res_id", "rating", "consumed"],
        "res.company": ["currency_id", "sale_policy_sla_hours"],
    }

    # Dimensions
    order_id = fields.Many2one("sale.order", string="Order", readonly=True)
    name = fields.Char(string="Order Reference", readonly=True)
    date_order = fields.Datetime(string="Order Date", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], readonly=True)
    state = fields.Selection(SALE_ORDER_STATE, string="Status", readonly=True)
    approval_state = fields.Selection(APPROVAL_STATES, string="Approval", readonly=True)
    submitted_on = fields.Datetime(string="Submitted on", readonly=True)
    approved_on = fields.Datetime(string="Approved on", readonly=True)
    confirmed_on = fields.Datetime(string="Confirmed on", readonly=True)
    delivered_on = fields.Datetime(string="Delivered on", readonly=True)
    invoiced_on = fields.Datetime(string="Invoiced on", readonly=True)
    paid_on = fields.Datetime(string="Paid on", readonly=True)
    # Measures
    order_count = fields.Integer(string="# Orders", readonly=True)
    amount_total = fields.Monetary(
        string="Total (Company Currency)", currency_field="currency_id", readonly=True
    )
    review_rounds = fields.Integer(readonly=True, aggregator="sum")
    review_hours = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Clock hours from first submission to approval.",
    )
    review_work_hours = fields.Float(
        string="Review Working Hours",
        readonly=True,
        aggregator="avg",
        help="Working hours the review steps took (parallel steps of a tier count once).",
    )
    review_count = fields.Integer(string="# Review Decisions", readonly=True)
    first_time_right_count = fields.Integer(
        string="First-Time Right",
        readonly=True,
        help="1 when the order was approved in its first round, never rejected and never "
        "changed afterwards.",
    )
    rejection_count = fields.Integer(string="# Rejections", readonly=True)
    change_count = fields.Integer(
        string="# Changes",
        readonly=True,
        help="Change and cancellation requests we initiated; the customer's own requests "
        "are counted apart and never held against the salesperson.",
    )
    customer_change_count = fields.Integer(string="# Customer Changes", readonly=True)
    # The salesperson's own handling time (销售人员处理时效), not the reviewers'.
    intake_hours = fields.Float(
        string="Intake to Submission (h)",
        readonly=True,
        aggregator="avg",
        help="From the customer's order (Received on, else the quotation's creation) to the "
        "first submission.",
    )
    resubmit_hours = fields.Float(
        string="Rejection to Resubmission (h)",
        readonly=True,
        aggregator="avg",
        help="Average time the salesperson took to correct and resubmit a rejected order.",
    )
    handoff_hours = fields.Float(
        string="Approval to Confirmation (h)",
        readonly=True,
        aggregator="avg",
        help="From the approval to the confirmation, which hands the order off to the "
        "warehouse, logistics and production.",
    )
    handled_in_time_count = fields.Integer(
        string="# Handled in Time",
        readonly=True,
        help="1 when each of the salesperson's own steps (intake to submission, every "
        "resubmission, approval to confirmation) took no longer than the company's review "
        "SLA hours.",
    )
    cancelled = fields.Integer(string="# Cancelled", readonly=True)
    sla_breach_count = fields.Integer(string="# SLA Breaches", readonly=True)
    delivered_count = fields.Integer(string="# Delivered", readonly=True)
    on_time_count = fields.Integer(
        string="# Delivered on Time", readonly=True, help="Delivered by the commitment date."
    )
    days_to_deliver = fields.Float(
        string="Days to Deliver", readonly=True, aggregator="avg", help="Confirmation → delivery."
    )
    days_to_invoice = fields.Float(
        string="Days to Invoice", readonly=True, aggregator="avg", help="Confirmation → invoice."
    )
    days_to_pay = fields.Float(
        string="Days to Pay", readonly=True, aggregator="avg", help="Invoice → payment (DSO)."
    )
    exception_count = fields.Integer(string="# Exceptions", readonly=True)
    rating_avg = fields.Float(
        string="Satisfaction", readonly=True, aggregator="avg", help="Average rating out of 5."
    )
    rating_count = fields.Integer(string="# Ratings", readonly=True)

    # ------------------------------------------------------------------
    # SQL
    # ------------------------------------------------------------------

    def init(self):
        # The tier aggregation reads the reviews in this order: no sort of every review.
        create_index(
            self.env.cr,
            "sale_policy_review_kpi_tier_index",
            "sale_policy_review",
            ["order_id", "applies_to", "review_round", "sequence"],
        )

    @property
    def _table_query(self):
        return self._query()

    def _query(self):
        return SQL(
            """
            WITH %(with_clause)s
            SELECT %(select)s
              FROM %(from_clause)s
             WHERE so.policy_submitted_on IS NOT NULL
            """,
            with_clause=SQL(",\n").join(
                SQL("%s AS (%s)", SQL.identifier(name), query) for name, query in self._with()
            ),
            select=self._select(),
            from_clause=self._from(),
        )

    def _with(self):
        """Per-order aggregates: one grouped scan per source table."""
        return [
            ("kpi_review", self._with_review()),
            ("kpi_change", self._with_change()),
            ("kpi_resubmit", self._with_resubmit()),
            ("kpi_exception", self._with_exception()),
            ("kpi_rating", self._with_rating()),
        ]

    def _with_review(self):
        # Parallel steps of one tier run at the same time: the tier lasts as long as its
        # slowest step, so working hours add up per tier, not per step.
        return SQL(
            """
            SELECT t.order_id,
                   SUM(t.rejected)::integer AS rejection_count,
                   SUM(t.breached)::integer AS sla_breach_count,
                   SUM(t.decided)::integer AS review_count,
                   SUM(t.work_hours) AS work_hours
              FROM (SELECT r.order_id,
                           COUNT(*) FILTER (WHERE r.state = 'rejected'
                                              AND r.applies_to = 'order') AS rejected,
                           COUNT(*) FILTER (WHERE r.sla_breached) AS breached,
                           COUNT(*) FILTER (WHERE r.state IN ('approved', 'rejected'))
                               AS decided,
                           MAX(r.decision_work_hours)
                               FILTER (WHERE r.applies_to = 'order'
                                         AND r.state IN ('approved', 'rejected'))
                               AS work_hours
                      FROM sale_policy_review r
                     GROUP BY r.order_id, r.applies_to, r.review_round, r.sequence) t
             GROUP BY t.order_id
            """
        )

    def _with_change(self):
        """Change and cancellation requests (变更/取消) submitted for review, as the policy
        log records every submission (a resubmitted request counts again)."""
        return SQL(
            """
            SELECT l.order_id,
                   COUNT(*) FILTER (WHERE c.initiated_by IS DISTINCT FROM 'customer')
                       AS change_count,
                   COUNT(*) FILTER (WHERE c.initiated_by = 'customer') AS customer_change_count
              FROM sale_policy_log l
              LEFT JOIN sale_policy_change c ON c.id = l.change_id
             WHERE l.event IN %s
             GROUP BY l.order_id
            """,
            CHANGE_LOG_EVENTS,
        )

    def _with_resubmit(self):
        """Each rejection of the order to its next submission: the salesperson's fix."""
        return SQL(
            """
            SELECT r.order_id,
                   AVG(EXTRACT(EPOCH FROM (nxt.date - r.date)) / 3600.0) AS resubmit_hours,
                   MAX(EXTRACT(EPOCH FROM (nxt.date - r.date)) / 3600.0) AS resubmit_max_hours
              FROM sale_policy_log r
              JOIN LATERAL (SELECT MIN(s.date) AS date
                              FROM sale_policy_log s
                             WHERE s.order_id = r.order_id
                               AND s.event = 'submit'
                               AND s.change_id IS NULL
                               AND s.date >= r.date) nxt ON nxt.date IS NOT NULL
             WHERE r.event = 'reject' AND r.change_id IS NULL
             GROUP BY r.order_id
            """
        )

    def _with_exception(self):
        """Abnormal situations (异常订单) raised on the order, whatever became of them."""
        return SQL(
            """
            SELECT e.order_id, COUNT(*) AS exception_count
              FROM sale_policy_exception e
             GROUP BY e.order_id
            """
        )

    def _with_rating(self):
        return SQL(
            """
            SELECT rr.res_id AS order_id, AVG(rr.rating) AS rating_avg, COUNT(*) AS rating_count
              FROM rating_rating rr
             WHERE rr.res_model = 'sale.order' AND rr.consumed AND rr.rating > 0
             GROUP BY rr.res_id
            """
        )

    def _select(self):
        return SQL(",\n").join([self._select_dimensions(), self._select_measures()])

    def _select_dimensions(self):
        return SQL(
            """
            so.id AS id,
            so.id AS order_id,
            so.name AS name,
            so.date_order AS date_order,
            so.user_id AS user_id,
            so.team_id AS team_id,
            so.partner_id AS partner_id,
            so.company_id AS company_id,
            company.currency_id AS currency_id,
            so.priority AS priority,
            so.state AS state,
            so.approval_state AS approval_state,
            so.policy_submitted_on AS submitted_on,
            so.policy_approved_on AS approved_on,
            so.policy_confirmed_on AS confirmed_on,
            so.policy_delivered_on AS delivered_on,
            so.policy_invoiced_on AS invoiced_on,
            so.policy_paid_on AS paid_on
            """
        )

    def _select_measures(self):
        def days(end, start):
            return SQL("EXTRACT(EPOCH FROM (%s - %s)) / 86400.0", SQL(end), SQL(start))

        return SQL(
            """
            1 AS order_count,
            so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1.0) AS amount_total,
            so.policy_round AS review_rounds,
            CASE WHEN so.policy_approved_on IS NOT NULL
                 THEN EXTRACT(EPOCH FROM (so.policy_approved_on - so.policy_submitted_on))
                      / 3600.0 END AS review_hours,
            CASE WHEN so.policy_approved_on IS NOT NULL
                 THEN COALESCE(rev.work_hours, 0.0) END AS review_work_hours,
            COALESCE(rev.review_count, 0) AS review_count,
            CASE WHEN so.policy_approved_on IS NOT NULL
                      AND so.policy_round = 1
                      AND COALESCE(rev.rejection_count, 0) = 0
                      AND COALESCE(chg.change_count, 0) = 0
                 THEN 1 ELSE 0 END AS first_time_right_count,
            COALESCE(rev.rejection_count, 0) AS rejection_count,
            COALESCE(chg.change_count, 0)::integer AS change_count,
            COALESCE(chg.customer_change_count, 0)::integer AS customer_change_count,
            %(intake)s AS intake_hours,
            resub.resubmit_hours AS resubmit_hours,
            %(handoff)s AS handoff_hours,
            CASE WHEN %(intake)s <= COALESCE(company.sale_policy_sla_hours, 24.0)
                      AND COALESCE(resub.resubmit_max_hours, 0)
                          <= COALESCE(company.sale_policy_sla_hours, 24.0)
                      AND COALESCE(%(handoff)s, 0) <= COALESCE(company.sale_policy_sla_hours, 24.0)
                 THEN 1 ELSE 0 END AS handled_in_time_count,
            CASE WHEN so.state = 'cancel' THEN 1 ELSE 0 END AS cancelled,
            COALESCE(rev.sla_breach_count, 0) AS sla_breach_count,
            CASE WHEN so.policy_delivered_on IS NOT NULL THEN 1 ELSE 0 END AS delivered_count,
            CASE WHEN so.policy_delivered_on IS NOT NULL AND so.policy_on_time
                 THEN 1 ELSE 0 END AS on_time_count,
            %(to_deliver)s AS days_to_deliver,
            %(to_invoice)s AS days_to_invoice,
            %(to_pay)s AS days_to_pay,
            COALESCE(exc.exception_count, 0)::integer AS exception_count,
            rating.rating_avg AS rating_avg,
            COALESCE(rating.rating_count, 0)::integer AS rating_count
            """,
            to_deliver=days("so.policy_delivered_on", "so.policy_confirmed_on"),
            to_invoice=days("so.policy_invoiced_on", "so.policy_confirmed_on"),
            to_pay=days("so.policy_paid_on", "so.policy_invoiced_on"),
            intake=SQL(
                "GREATEST(EXTRACT(EPOCH FROM (so.policy_submitted_on"
                " - COALESCE(so.policy_intake_on, so.create_date))) / 3600.0, 0)"
            ),
            handoff=SQL(
                "EXTRACT(EPOCH FROM (so.policy_confirmed_on - so.policy_approved_on)) / 3600.0"
            ),
        )

    def _from(self):
        joins = [
            SQL("sale_order so"),
            SQL("JOIN res_company company ON company.id = so.company_id"),
            SQL("LEFT JOIN kpi_review rev ON rev.order_id = so.id"),
            SQL("LEFT JOIN kpi_change chg ON chg.order_id = so.id"),
            SQL("LEFT JOIN kpi_resubmit resub ON resub.order_id = so.id"),
            SQL("LEFT JOIN kpi_exception exc ON exc.order_id = so.id"),
            SQL("LEFT JOIN kpi_rating rating ON rating.order_id = so.id"),
        ]
        return SQL("\n").join(joins)

    # ------------------------------------------------------------------
    # Scorecards
    # ------------------------------------------------------------------

    @api.model
    def _policy_period_domain(self, date_from=None, date_to=None):
        """Orders dated within [date_from, date_to] (dates, user's day boundaries in UTC)."""
        domain = []
        if date_from:
            domain.append(("date_order", ">=", fields.Datetime.to_datetime(date_from)))
        if date_to:
            end = fields.Datetime.to_datetime(date_to).replace(hour=23, minute=59, second=59)
            domain.append(("date_order", "<=", end))
        return domain

    @api.model
    def _policy_scorecards(self, domain):
        """One scorecard per salesperson: the three policy KPIs, their inputs and the rank.

        Returns a list of dicts sorted by rank; one grouped query whatever the volume."""
        aggregates = [
            "order_count:sum",
            "amount_total:sum",
            "first_time_right_count:sum",
            "rejection_count:sum",
            "change_count:sum",
            "customer_change_count:sum",
            "cancelled:sum",
            "handled_in_time_count:sum",
            "intake_hours:avg",
            "resubmit_hours:avg",
            "handoff_hours:avg",
            "review_count:sum",
            "sla_breach_count:sum",
            "review_hours:avg",
            "review_work_hours:avg",
            "delivered_count:sum",
            "on_time_count:sum",
            "days_to_deliver:avg",
            "days_to_invoice:avg",
            "days_to_pay:avg",
            "exception_count:sum",
            "rating_count:sum",
            "rating_avg:avg",
        ]
        groups = self._read_group(domain, ["user_id"], aggregates)
        cards = []
        for user, *values in groups:
            # An average over no value (nothing delivered, paid or rated) is None, not 0.
            card = {
                aggregate.split(":")[0]: None if value is False else value
                for aggregate, value in zip(aggregates, values, strict=True)
            }
            orders = card["order_count"] or 0
            card["user"] = user
            card["accuracy"] = card["first_time_right_count"] / orders if orders else 0.0
            card["sla_compliance"] = (
                1 - card["sla_breach_count"] / card["review_count"]
                if card["review_count"]
                else None
            )
            card["speed"] = card["handled_in_time_count"] / orders if orders else None
            card["on_time_rate"] = (
                card["on_time_count"] / card["delivered_count"] if card["delivered_count"] else None
            )
            card["satisfaction"] = card["rating_avg"]
            card["dso"] = card["days_to_pay"]
            card["score"] = policy_score(card["accuracy"], card["speed"], card["satisfaction"])
            cards.append(card)
        cards.sort(key=lambda c: (-c["score"], -c["order_count"], c["user"].name or ""))
        for rank, card in enumerate(cards, start=1):
            card["rank"] = rank
        return cards

    # ------------------------------------------------------------------
    # Monthly assessment (定期考核)
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_assessment(self):
        """E-mail every sales team leader last month's team KPIs with the workbook."""
        first_of_month = fields.Date.context_today(self).replace(day=1)
        date_from = first_of_month - relativedelta(months=1)
        date_to = first_of_month - relativedelta(days=1)
        sent = self._policy_send_assessment(date_from, date_to)
        self.env["ir.cron"]._notify_progress(done=sent, remaining=0)

    @api.model
    def _policy_send_assessment(self, date_from, date_to):
        """Queue one e-mail per team of a company with the policy and the e-mail switched on.

        Each leader gets what their own access rights show, in their language.
        Returns the number of e-mails queued."""
        companies = self.env["res.company"].search(
            [("sale_policy_enabled", "=", True), ("sale_policy_kpi_mail", "=", True)]
        )
        if not companies:
            return 0
        teams = self.env["crm.team"].search(
            [
                ("user_id", "!=", False),
                "|",
                ("company_id", "=", False),
                ("company_id", "in", companies.ids),
            ]
        )
        template = self.env.ref("sale_order_policy.mail_template_kpi_assessment")
        sent = sum(
            self._policy_send_team_assessment(team, companies, template, date_from, date_to)
            for team in teams
        )
        _logger.info("Sales order policy: %s monthly assessment e-mails queued", sent)
        return sent

    @api.model
    def _policy_send_team_assessment(self, team, companies, template, date_from, date_to):
        """Queue the e-mail of one team to its leader; False when there is none to send."""
        leader = team.user_id
        team_companies = (team.company_id or companies) & companies & leader.company_ids
        readers = ("sales_team.group_sale_salesman", "sale_order_policy.group_general_manager")
        if (
            not team_companies
            or not leader.email
            or not any(leader.has_group(group) for group in readers)
        ):
            return False
        wizard = (
            self.env["sale.policy.kpi.export"]
            .with_user(leader)
            .with_company(team_companies[0])
            .with_context(lang=leader.lang, allowed_company_ids=team_companies.ids)
            .create(
                {
                    "date_from": date_from,
                    "date_to": date_to,
                    "company_ids": [fields.Command.set(team_companies.ids)],
                    "team_ids": [fields.Command.set(team.ids)],
                }
            )
        )
        cards = wizard._policy_scorecards()
        if not cards:
            return False
        attachment = self.env["ir.attachment"].create(
            {
                "name": wizard._file_name(),
                "datas": base64.b64encode(wizard._policy_xlsx()),
                "res_model": "crm.team",
                "res_id": team.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        template.with_context(kpi_cards=cards, kpi_period=wizard._period_label()).send_mail(
            team.id,
            email_values={"attachment_ids": [fields.Command.link(attachment.id)]},
        )
        return True
