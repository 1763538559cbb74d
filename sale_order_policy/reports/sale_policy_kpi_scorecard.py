from odoo import fields, models
from odoo.tools import SQL

from .sale_policy_kpi_report import SCORE_WEIGHTS


class SalePolicyKpiScorecard(models.Model):
    """KPI dashboard (考核看板): one scorecard per salesperson, team and month, ranked in
    the team. Rates are computed in the same grouped query as the ranking."""

    _name = "sale.policy.kpi.scorecard"
    _description = "Sales Order Policy KPI Scorecard"
    _auto = False
    _rec_name = "user_id"
    _order = "month desc, team_id, team_rank, id"
    # Reads the KPI analysis, whose own `_depends` are flushed transitively.
    _depends = {
        "sale.policy.kpi.report": [
            "date_order",
            "user_id",
            "team_id",
            "company_id",
            "currency_id",
            "order_count",
            "amount_total",
            "first_time_right_count",
            "review_count",
            "sla_breach_count",
            "review_work_hours",
            "handled_in_time_count",
            "intake_hours",
            "delivered_count",
            "on_time_count",
            "rating_avg",
            "rating_count",
        ],
    }

    month = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    order_count = fields.Integer(string="# Orders", readonly=True)
    amount_total = fields.Monetary(
        string="Total (Company Currency)", currency_field="currency_id", readonly=True
    )
    first_time_right_count = fields.Integer(string="First-Time Right", readonly=True)
    accuracy = fields.Float(
        string="Accuracy (%)", readonly=True, aggregator="avg", help="First-time right / orders."
    )
    review_count = fields.Integer(string="# Review Decisions", readonly=True)
    sla_breach_count = fields.Integer(string="# SLA Breaches", readonly=True)
    sla_compliance = fields.Float(string="SLA Compliance (%)", readonly=True, aggregator="avg")
    handled_in_time_count = fields.Integer(string="# Handled in Time", readonly=True)
    speed = fields.Float(
        string="Handled in Time (%)",
        readonly=True,
        aggregator="avg",
        help="The salesperson's own speed: orders whose intake, resubmissions and "
        "confirmation each took no longer than the review SLA hours.",
    )
    intake_hours = fields.Float(string="Intake to Submission (h)", readonly=True, aggregator="avg")
    review_work_hours = fields.Float(
        string="Avg. Review Working Hours", readonly=True, aggregator="avg"
    )
    on_time_rate = fields.Float(string="On-Time Delivery (%)", readonly=True, aggregator="avg")
    rating_avg = fields.Float(string="Satisfaction", readonly=True, aggregator="avg")
    rating_count = fields.Integer(string="# Ratings", readonly=True)
    score = fields.Float(readonly=True, aggregator="avg")
    team_rank = fields.Integer(string="Rank in Team", readonly=True, aggregator="min")
    team_size = fields.Integer(readonly=True, aggregator="max")

    @property
    def _table_query(self):
        w_acc, w_speed, w_sat = SCORE_WEIGHTS
        return SQL(
            """
            SELECT s.*,
                   RANK() OVER (PARTITION BY s.company_id, s.team_id, s.month
                                ORDER BY s.score DESC, s.order_count DESC) AS team_rank,
                   COUNT(*) OVER (PARTITION BY s.company_id, s.team_id, s.month) AS team_size
              FROM (
                SELECT g.*,
                       ROUND((100 * (%(w_acc)s * g.accuracy / 100
                                     + COALESCE(%(w_speed)s * g.speed / 100, 0)
                                     + COALESCE(%(w_sat)s * g.rating_avg / 5, 0))
                              / (%(w_acc)s
                                 + CASE WHEN g.speed IS NULL THEN 0 ELSE %(w_speed)s END
                                 + CASE WHEN g.rating_avg IS NULL THEN 0 ELSE %(w_sat)s END)
                             )::numeric, 1)::float AS score
                  FROM (
                    SELECT MIN(k.id) AS id,
                           date_trunc('month', k.date_order)::date AS month,
                           k.user_id, k.team_id, k.company_id, k.currency_id,
                           SUM(k.order_count) AS order_count,
                           SUM(k.amount_total) AS amount_total,
                           SUM(k.first_time_right_count) AS first_time_right_count,
                           100.0 * SUM(k.first_time_right_count) / SUM(k.order_count) AS accuracy,
                           SUM(k.review_count) AS review_count,
                           SUM(k.sla_breach_count) AS sla_breach_count,
                           CASE WHEN SUM(k.review_count) > 0
                                THEN 100.0 * (1 - SUM(k.sla_breach_count)::float
                                                  / SUM(k.review_count)) END AS sla_compliance,
                           AVG(k.review_work_hours) AS review_work_hours,
                           SUM(k.handled_in_time_count) AS handled_in_time_count,
                           100.0 * SUM(k.handled_in_time_count) / SUM(k.order_count) AS speed,
                           AVG(k.intake_hours) AS intake_hours,
                           CASE WHEN SUM(k.delivered_count) > 0
                                THEN 100.0 * SUM(k.on_time_count) / SUM(k.delivered_count) END
                                AS on_time_rate,
                           AVG(k.rating_avg) AS rating_avg,
                           SUM(k.rating_count) AS rating_count
                      FROM %(kpi)s k
                     GROUP BY date_trunc('month', k.date_order)::date,
                              k.user_id, k.team_id, k.company_id, k.currency_id
                  ) g
              ) s
            """,
            kpi=self.env["sale.policy.kpi.report"]._table_sql,
            w_acc=w_acc,
            w_speed=w_speed,
            w_sat=w_sat,
        )
