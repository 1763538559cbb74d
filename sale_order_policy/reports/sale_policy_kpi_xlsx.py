import os
import tempfile

import xlsxwriter

from odoo import api, models
from odoo.tools import SQL

from .sale_policy_xlsx import Column, PolicyXlsx


class SalePolicyKpiXlsx(models.AbstractModel):
    """Assessment workbook (考核报表): Summary, Orders, Reviews & SLA, Exceptions, Aging.

    Each sheet is a list of column specs (see `sale_policy_xlsx`). Rows are streamed from
    SQL into xlsxwriter in `constant_memory` mode, so memory does not grow with the number
    of orders. Headers follow the language of the environment."""

    _name = "sale.policy.kpi.xlsx"
    _description = "Sales Order Policy KPI Workbook"

    @api.model
    def _policy_generate(self, domain, title="", period=None):
        """Return the workbook (bytes) of the KPI rows matching `domain` (record rules apply)."""
        fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="sale_policy_kpi_")
        os.close(fd)
        try:
            workbook = xlsxwriter.Workbook(
                path,
                {
                    "constant_memory": True,
                    "tmpdir": tempfile.gettempdir(),
                    "remove_timezone": True,
                    "default_date_format": "yyyy-mm-dd",
                },
            )
            xlsx = PolicyXlsx(self.env, workbook)
            order_query = self.env["sale.policy.kpi.report"]._search(domain, order="date_order, id")
            self._sheet_summary(xlsx, domain, title)
            self._sheet_orders(xlsx, order_query)
            self._sheet_reviews(xlsx, order_query)
            self._sheet_exceptions(xlsx, order_query)
            self._sheet_aging(xlsx, domain)
            if period:
                self._sheet_reward_penalties(xlsx, domain, period)
            workbook.close()
            with open(path, "rb") as file:
                return file.read()
        finally:
            os.unlink(path)

    # ------------------------------------------------------------------
    # Summary: one scorecard per salesperson
    # ------------------------------------------------------------------

    def _summary_columns(self):
        _ = self.env._
        return [
            Column(_("Rank"), "rank", "int", 6),
            Column(_("Salesperson"), "user", "text", 22, lambda u: u.name or _("Unassigned")),
            Column(_("Order Count"), "order_count", "int", 8),
            Column(_("Amount (Company Currency)"), "amount_total", "money", 16),
            Column(_("First-Time Right"), "first_time_right_count", "int", 10),
            Column(_("Accuracy %"), "accuracy", "percent", 10),
            Column(_("Rejections"), "rejection_count", "int", 10),
            Column(_("Changes"), "change_count", "int", 10),
            Column(_("Cancelled"), "cancelled", "int", 10),
            Column(_("Review Decisions"), "review_count", "int", 10),
            Column(_("SLA Breaches"), "sla_breach_count", "int", 10),
            Column(_("SLA Compliance %"), "sla_compliance", "percent", 10),
            Column(_("Handled in Time"), "handled_in_time_count", "int", 10),
            Column(_("Handled in Time %"), "speed", "percent", 10),
            Column(_("Avg. Intake to Submission (h)"), "intake_hours", "hours", 12),
            Column(_("Avg. Rejection to Resubmission (h)"), "resubmit_hours", "hours", 12),
            Column(_("Avg. Approval to Confirmation (h)"), "handoff_hours", "hours", 12),
            Column(_("Customer Changes"), "customer_change_count", "int", 10),
            Column(_("Avg. Review Hours"), "review_hours", "hours", 10),
            Column(_("Avg. Review Working Hours"), "review_work_hours", "hours", 10),
            Column(_("Delivered"), "delivered_count", "int", 10),
            Column(_("On Time"), "on_time_count", "int", 10),
            Column(_("On-Time %"), "on_time_rate", "percent", 10),
            Column(_("Avg. Days to Deliver"), "days_to_deliver", "days", 10),
            Column(_("Avg. Days to Invoice"), "days_to_invoice", "days", 10),
            Column(_("DSO (Days)"), "dso", "days", 10),
            Column(_("Exceptions"), "exception_count", "int", 10),
            Column(_("Ratings"), "rating_count", "int", 8),
            Column(_("Satisfaction (of 5)"), "satisfaction", "float", 10),
            Column(_("Score"), "score", "float", 8),
        ]

    def _sheet_summary(self, xlsx, domain, title):
        cards = self.env["sale.policy.kpi.report"]._policy_scorecards(domain)
        xlsx.write_sheet(
            self.env._("Summary"),
            self._summary_columns(),
            cards,
            title=title or self.env._("Sales order assessment"),
        )

    # ------------------------------------------------------------------
    # Streamed detail sheets: names are joined in SQL, no ORM read while rows stream
    # ------------------------------------------------------------------

    def _order_columns(self, xlsx):
        _ = self.env._
        kpi = "sale.policy.kpi.report"
        return [
            Column(_("Order"), SQL("k.name"), "text", 14),
            Column(_("Order Date"), xlsx.local(SQL("k.date_order")), "datetime", 17),
            Column(_("Salesperson"), SQL("salesperson.name"), "text", 20),
            Column(_("Sales Team"), self._translated(SQL("team.name")), "text", 16),
            Column(
                _("Customer"), SQL("COALESCE(customer.complete_name, customer.name)"), "text", 28
            ),
            Column(_("Priority"), SQL("k.priority"), "text", 8, xlsx.selection(kpi, "priority")),
            Column(_("Status"), SQL("k.state"), "text", 12, xlsx.selection(kpi, "state")),
            Column(
                _("Approval"),
                SQL("k.approval_state"),
                "text",
                12,
                xlsx.selection(kpi, "approval_state"),
            ),
            Column(_("Amount (Company Currency)"), SQL("k.amount_total"), "money", 16),
            Column(_("Submitted on"), xlsx.local(SQL("k.submitted_on")), "datetime", 17),
            Column(_("Review Rounds"), SQL("k.review_rounds"), "int", 8),
            Column(_("Review Working Hours"), SQL("k.review_work_hours"), "hours", 10),
            Column(_("First-Time Right"), SQL("k.first_time_right_count"), "text", 8, xlsx.yes_no),
            Column(_("Rejections"), SQL("k.rejection_count"), "int", 8),
            Column(_("Changes"), SQL("k.change_count"), "int", 8),
            Column(_("SLA Breaches"), SQL("k.sla_breach_count"), "int", 8),
            Column(_("Delivered on"), xlsx.local(SQL("k.delivered_on")), "datetime", 17),
            Column(
                _("On Time"),
                SQL("CASE WHEN k.delivered_count = 1 THEN k.on_time_count END"),
                "text",
                8,
                xlsx.yes_no,
            ),
            Column(_("Days to Deliver"), SQL("k.days_to_deliver"), "days", 8),
            Column(_("Days to Pay"), SQL("k.days_to_pay"), "days", 8),
            Column(_("Exceptions"), SQL("k.exception_count"), "int", 8),
            Column(_("Satisfaction (of 5)"), SQL("k.rating_avg"), "float", 8),
        ]

    def _translated(self, column):
        """SQL of a translated (jsonb) name in the environment's language."""
        return SQL("COALESCE(%s->>%s, %s->>'en_US')", column, self.env.lang or "en_US", column)

    def _sheet_orders(self, xlsx, order_query):
        columns = self._order_columns(xlsx)
        from_clause = SQL(
            """
              FROM (%(orders)s) k
              LEFT JOIN res_users u ON u.id = k.user_id
              LEFT JOIN res_partner salesperson ON salesperson.id = u.partner_id
              LEFT JOIN crm_team team ON team.id = k.team_id
              LEFT JOIN res_partner customer ON customer.id = k.partner_id
             ORDER BY k.date_order, k.id
            """,
            orders=order_query.select(SQL("%s.*", SQL.identifier(order_query.table))),
        )
        xlsx.write_query_sheet(self.env._("Order Details"), columns, from_clause)

    def _review_columns(self, xlsx):
        _ = self.env._
        return [
            Column(_("Order"), SQL("so.name"), "text", 14),
            Column(_("Salesperson"), SQL("salesperson.name"), "text", 20),
            Column(_("Step"), self._translated(SQL("rule.name")), "text", 20),
            Column(_("Round"), SQL("r.review_round"), "int", 6),
            Column(
                _("Status"),
                SQL("r.state"),
                "text",
                10,
                xlsx.selection("sale.policy.review", "state"),
            ),
            Column(_("Received on"), xlsx.local(SQL("r.activated_on")), "datetime", 17),
            Column(_("Deadline"), xlsx.local(SQL("r.deadline")), "datetime", 17),
            Column(_("Decided on"), xlsx.local(SQL("r.decided_on")), "datetime", 17),
            Column(_("Decided by"), SQL("decider.name"), "text", 20),
            Column(
                _("Decision Hours"),
                SQL("CASE WHEN r.decided_on IS NOT NULL THEN r.decision_hours END"),
                "hours",
                8,
            ),
            Column(
                _("Decision Working Hours"),
                SQL("CASE WHEN r.decided_on IS NOT NULL THEN r.decision_work_hours END"),
                "hours",
                8,
            ),
            Column(
                _("SLA Breached"), SQL("COALESCE(r.sla_breached, FALSE)"), "text", 8, xlsx.yes_no
            ),
        ]

    def _sheet_reviews(self, xlsx, order_query):
        columns = self._review_columns(xlsx)
        from_clause = SQL(
            """
              FROM sale_policy_review r
              JOIN sale_policy_rule rule ON rule.id = r.rule_id
              JOIN sale_order so ON so.id = r.order_id
              LEFT JOIN res_users u ON u.id = so.user_id
              LEFT JOIN res_partner salesperson ON salesperson.id = u.partner_id
              LEFT JOIN res_users du ON du.id = r.decided_by_id
              LEFT JOIN res_partner decider ON decider.id = du.partner_id
             WHERE r.order_id IN %(orders)s
             ORDER BY so.date_order, so.id, r.review_round, r.sequence, r.id
            """,
            orders=order_query.subselect(),
        )
        xlsx.write_query_sheet(self.env._("Reviews & SLA"), columns, from_clause)

    def _exception_columns(self, xlsx):
        _ = self.env._
        return [
            Column(_("Order"), SQL("so.name"), "text", 14),
            Column(_("Exception"), self._translated(SQL("type.name")), "text", 24),
            Column(
                _("Status"),
                SQL("e.state"),
                "text",
                12,
                xlsx.selection("sale.policy.exception", "state"),
            ),
            Column(_("Blocking"), SQL("COALESCE(e.blocking, FALSE)"), "text", 8, xlsx.yes_no),
            Column(_("Responsible"), SQL("responsible.name"), "text", 20),
            Column(_("Raised on"), xlsx.local(SQL("e.create_date")), "datetime", 17),
            Column(_("Deadline"), xlsx.local(SQL("e.deadline")), "datetime", 17),
            Column(_("Resolution"), SQL("e.resolution"), "text", 40),
        ]

    def _sheet_exceptions(self, xlsx, order_query):
        columns = self._exception_columns(xlsx)
        from_clause = SQL(
            """
              FROM sale_policy_exception e
              JOIN sale_order so ON so.id = e.order_id
              JOIN sale_policy_exception_type type ON type.id = e.type_id
              LEFT JOIN res_users u ON u.id = e.user_id
              LEFT JOIN res_partner responsible ON responsible.id = u.partner_id
             WHERE e.order_id IN %(orders)s
             ORDER BY e.create_date, e.id
            """,
            orders=order_query.subselect(),
        )
        xlsx.write_query_sheet(self.env._("Exceptions"), columns, from_clause)

    def _reward_penalty_columns(self, xlsx):
        _ = self.env._
        return [
            Column(_("Reference"), SQL("rp.name"), "text", 14),
            Column(_("Date"), SQL("rp.date"), "date", 11),
            Column(_("Salesperson"), SQL("partner.name"), "text", 20),
            Column(
                _("Kind"),
                SQL("rp.kind"),
                "text",
                10,
                xlsx.selection("sale.policy.reward.penalty", "kind"),
            ),
            Column(_("Amount"), SQL("rp.amount"), "money", 12),
            Column(_("KPI Period"), SQL("rp.kpi_month"), "date", 11),
            Column(_("Reason"), SQL("rp.reason"), "text", 50),
        ]

    def _sheet_reward_penalties(self, xlsx, domain, period):
        """The approved rewards and penalties (奖惩) of the assessed salespeople."""
        Register = self.env["sale.policy.reward.penalty"]
        if not Register.has_access("read"):
            return
        users = self.env["res.users"].union(
            *(
                user
                for (user,) in self.env["sale.policy.kpi.report"]._read_group(domain, ["user_id"])
            )
        )
        query = Register._search(Register._policy_period_domain(users, *period))
        from_clause = SQL(
            """
              FROM sale_policy_reward_penalty rp
              JOIN res_users u ON u.id = rp.employee_id
              JOIN res_partner partner ON partner.id = u.partner_id
             WHERE rp.id IN %(records)s
             ORDER BY rp.date, rp.id
            """,
            records=query.subselect(),
        )
        columns = self._reward_penalty_columns(xlsx)
        xlsx.write_query_sheet(self.env._("Rewards & Penalties"), columns, from_clause)

    def _sheet_aging(self, xlsx, domain):
        """Receivables aging (账龄) of the assessed salespeople, in the assessed companies,
        for readers allowed to see it: the open invoices sheet of the aging export."""
        aging = self.env["sale.policy.aging.report"]
        if not aging.has_access("read"):
            return
        kpi_groups = self.env["sale.policy.kpi.report"]._read_group(
            domain, ["user_id", "company_id"]
        )
        aging_domain = [
            ("user_id", "in", [user.id for user, _company in kpi_groups]),
            ("company_id", "in", [company.id for _user, company in kpi_groups]),
        ]
        aging._policy_xlsx_open_invoices(xlsx, aging_domain, self.env._("Aging"))
