from odoo import fields, models
from odoo.tools import SQL

from ..models.sale_policy_review import REVIEW_STATES
from ..models.sale_policy_review_sla import SLA_STATUSES
from ..models.sale_policy_rule import DEPARTMENTS


class SalePolicySlaReport(models.Model):
    """Review SLA overview: one row per opened review, its status evaluated at query time."""

    _name = "sale.policy.sla.report"
    _description = "Review SLA Analysis"
    _auto = False
    _order = "deadline desc, id desc"
    _rec_name = "name"
    _check_company_auto = True
    # Fields the SQL reads: flushed before any query on the report.
    _depends = {
        "sale.policy.review": [
            "order_id",
            "company_id",
            "rule_id",
            "department",
            "state",
            "sla_breached",
            "activated_on",
            "deadline",
            "round_deadline",
            "round_breached_on",
            "reminder_due_on",
            "decided_on",
            "decision_hours",
            "decision_work_hours",
            "reviewer_user_ids",
        ],
        "sale.order": ["user_id", "team_id"],
        "res.company": ["sale_policy_reminder_percent"],
    }

    review_id = fields.Many2one("sale.policy.review", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    rule_id = fields.Many2one("sale.policy.rule", string="Step Rule", readonly=True)
    name = fields.Char(related="rule_id.name", string="Step")
    department = fields.Selection(DEPARTMENTS, readonly=True)
    state = fields.Selection(REVIEW_STATES, readonly=True)
    sla_status = fields.Selection(SLA_STATUSES, string="SLA Status", readonly=True)
    salesperson_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    # Rows share their id with the review, so its reviewer table serves as is.
    reviewer_user_ids = fields.Many2many(
        "res.users",
        "sale_policy_review_reviewer_rel",
        "review_id",
        "user_id",
        string="Reviewers",
        readonly=True,
    )
    activated_on = fields.Datetime(string="Received on", readonly=True)
    deadline = fields.Datetime(readonly=True)
    decided_on = fields.Datetime(readonly=True)
    round_deadline = fields.Datetime(string="Order Review Deadline", readonly=True)
    order_late_count = fields.Integer(
        string="Order Deadline Missed",
        readonly=True,
        help="Steps of a submission that passed its whole review deadline (24 hours from "
        "submission by default).",
    )
    pending_count = fields.Integer(string="Pending", readonly=True)
    at_risk_count = fields.Integer(string="At Risk", readonly=True)
    overdue_count = fields.Integer(string="Overdue", readonly=True)
    breached_count = fields.Integer(string="Breached", readonly=True)
    decided_count = fields.Integer(string="Decided", readonly=True)
    overdue_hours = fields.Float(string="Hours Overdue", readonly=True)
    decision_hours = fields.Float(aggregator="avg", readonly=True)
    decision_work_hours = fields.Float(
        string="Decision Working Hours", aggregator="avg", readonly=True
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH review AS (
                SELECT r.*,
                       (now() AT TIME ZONE 'UTC') AS now_utc,
                       COALESCE(
                           r.reminder_due_on,
                           r.activated_on + (r.deadline - r.activated_on)
                               * (COALESCE(c.sale_policy_reminder_percent, 75.0) / 100)
                       ) AS reminder_at
                  FROM sale_policy_review r
                  JOIN res_company c ON c.id = r.company_id
                 WHERE r.activated_on IS NOT NULL
                   AND r.deadline IS NOT NULL
                   AND r.state IN ('pending', 'approved', 'rejected')
            )
            SELECT review.id,
                   review.id AS review_id,
                   review.order_id,
                   review.company_id,
                   review.rule_id,
                   review.department,
                   review.state,
                   CASE
                       WHEN review.state = 'pending' THEN
                           CASE
                               WHEN review.sla_breached OR review.deadline <= review.now_utc
                                   THEN 'overdue'
                               WHEN review.reminder_at <= review.now_utc THEN 'at_risk'
                               ELSE 'on_track'
                           END
                       WHEN review.sla_breached THEN 'missed'
                       ELSE 'met'
                   END AS sla_status,
                   so.user_id AS salesperson_id,
                   so.team_id,
                   review.activated_on,
                   review.deadline,
                   review.round_deadline,
                   review.decided_on,
                   (review.round_breached_on IS NOT NULL
                       OR (review.state = 'pending' AND review.round_deadline <= review.now_utc)
                   )::int AS order_late_count,
                   (review.state = 'pending')::int AS pending_count,
                   (review.state = 'pending' AND NOT COALESCE(review.sla_breached, FALSE)
                       AND review.deadline > review.now_utc
                       AND review.reminder_at <= review.now_utc)::int AS at_risk_count,
                   (review.state = 'pending'
                       AND (review.sla_breached OR review.deadline <= review.now_utc))::int
                       AS overdue_count,
                   (COALESCE(review.sla_breached, FALSE)
                       OR (review.state = 'pending' AND review.deadline <= review.now_utc))::int
                       AS breached_count,
                   (review.state != 'pending')::int AS decided_count,
                   CASE WHEN review.state = 'pending' AND review.deadline < review.now_utc
                       THEN EXTRACT(EPOCH FROM review.now_utc - review.deadline) / 3600.0
                       ELSE 0 END AS overdue_hours,
                   CASE WHEN review.state != 'pending' THEN review.decision_hours END
                       AS decision_hours,
                   CASE WHEN review.state != 'pending' THEN review.decision_work_hours END
                       AS decision_work_hours
              FROM review
              LEFT JOIN sale_order so ON so.id = review.order_id
            """
        )
