from odoo import fields, models
from odoo.tools import SQL

from ..models.sale_policy_rule import DEPARTMENTS


class SalePolicyReviewerScorecard(models.Model):
    """The reviewers' own assessment (审核人考核): one row per decided review, by the
    person who decided it, so the reviewers' speed never counts against a salesperson."""

    _name = "sale.policy.reviewer.scorecard"
    _description = "Reviewer Scorecard"
    _auto = False
    _order = "decided_on desc, id desc"
    _rec_name = "reviewer_id"
    # Fields the SQL reads: flushed before any query on the report.
    _depends = {
        "sale.policy.review": [
            "order_id",
            "company_id",
            "department",
            "state",
            "decided_by_id",
            "decided_on",
            "activated_on",
            "deadline",
            "sla_breached",
            "decision_hours",
            "decision_work_hours",
        ],
    }

    review_id = fields.Many2one("sale.policy.review", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    reviewer_id = fields.Many2one("res.users", string="Reviewer", readonly=True)
    department = fields.Selection(DEPARTMENTS, readonly=True)
    decided_on = fields.Datetime(readonly=True)
    decision = fields.Selection([("approved", "Approved"), ("rejected", "Rejected")], readonly=True)
    decided_count = fields.Integer(string="Decided", readonly=True)
    on_time_count = fields.Integer(string="Decided in Time", readonly=True)
    breached_count = fields.Integer(string="Decided Late", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    decision_hours = fields.Float(aggregator="avg", readonly=True)
    decision_work_hours = fields.Float(
        string="Decision Working Hours", aggregator="avg", readonly=True
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT r.id,
                   r.id AS review_id,
                   r.order_id,
                   r.company_id,
                   r.decided_by_id AS reviewer_id,
                   r.department,
                   r.decided_on,
                   r.state AS decision,
                   1 AS decided_count,
                   CASE WHEN COALESCE(r.sla_breached, FALSE) THEN 0 ELSE 1 END AS on_time_count,
                   CASE WHEN COALESCE(r.sla_breached, FALSE) THEN 1 ELSE 0 END AS breached_count,
                   CASE WHEN r.state = 'rejected' THEN 1 ELSE 0 END AS rejected_count,
                   r.decision_hours,
                   r.decision_work_hours
              FROM sale_policy_review r
             WHERE r.state IN ('approved', 'rejected')
               AND r.decided_by_id IS NOT NULL
            """
        )
