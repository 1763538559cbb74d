import os
import tempfile

import pytz
import xlsxwriter

from odoo import api, models
from odoo.tools import SQL

# Rows fetched from PostgreSQL per round trip while streaming a sheet.
FETCH_BATCH = 2000


class SalePolicyKpiXlsx(models.AbstractModel):
    """Assessment workbook (考核报表): Summary, Orders, Reviews & SLA, Exceptions, Aging.

    Rows are streamed from SQL into xlsxwriter in `constant_memory` mode, so memory does not
    grow with the number of orders. Headers follow the language of the environment."""

    _name = "sale.policy.kpi.xlsx"
    _description = "Sales Order Policy KPI Workbook"

    # Model of the receivables aging analysis (settlement feature), exported when installed.
    _aging_model = "sale.policy.aging.report"

    @api.model
    def _policy_generate(self, domain, title=""):
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
            formats = self._formats(workbook)
            kpi = self.env["sale.policy.kpi.report"]
            order_query = kpi._search(domain, order="date_order, id")
            self._sheet_summary(workbook, formats, domain, title)
            self._sheet_orders(workbook, formats, order_query)
            self._sheet_reviews(workbook, formats, order_query)
            self._sheet_exceptions(workbook, formats, order_query)
            self._sheet_aging(workbook, formats, domain)
            workbook.close()
            with open(path, "rb") as xlsx:
                return xlsx.read()
        finally:
            os.unlink(path)

    # ------------------------------------------------------------------
    # Layout helpers
    # ------------------------------------------------------------------

    def _formats(self, workbook):
        """Cell formats, plus the constants every row needs (computed once per workbook)."""
        return {
            "tz": pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC"),
            "yes": self.env._("Yes"),
            "no": self.env._("No"),
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "header": workbook.add_format(
                {
                    "bold": True,
                    "bg_color": "#DDEBF7",
                    "border": 1,
                    "text_wrap": True,
                    "valign": "vcenter",
                }
            ),
            "text": None,
            "int": workbook.add_format({"num_format": "0"}),
            "float": workbook.add_format({"num_format": "#,##0.00"}),
            "hours": workbook.add_format({"num_format": "0.0"}),
            "days": workbook.add_format({"num_format": "0.0"}),
            "money": workbook.add_format({"num_format": "#,##0.00"}),
            "percent": workbook.add_format({"num_format": "0.0%"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        }

    @staticmethod
    def _text_width(text):
        # CJK characters take two columns.
        return sum(2 if ord(char) > 0x2E80 else 1 for char in str(text))

    def _start_sheet(self, workbook, formats, name, columns, title=None):
        """Add a sheet with its (optional) title row and header row; return (sheet, row)."""
        sheet = workbook.add_worksheet(name)
        row = 0
        if title:
            sheet.write_string(0, 0, title, formats["title"])
            row = 1
        for col, (header, _kind, width) in enumerate(columns):
            sheet.set_column(col, col, max(width, min(self._text_width(header) + 2, 40)))
            sheet.write_string(row, col, header, formats["header"])
        sheet.set_row(row, 30)
        sheet.freeze_panes(row + 1, 0)
        return sheet, row + 1

    def _write_row(self, sheet, formats, row, columns, values):
        for col, ((_header, kind, _width), value) in enumerate(zip(columns, values, strict=True)):
            if value is None or value is False:
                continue
            if kind == "datetime":
                # UTC → the user's timezone, naive as Excel wants it.
                local = pytz.utc.localize(value).astimezone(formats["tz"]).replace(tzinfo=None)
                sheet.write_datetime(row, col, local, formats[kind])
            elif kind == "date":
                sheet.write_datetime(row, col, value, formats[kind])
            elif kind == "text":
                sheet.write_string(row, col, str(value))
            else:
                sheet.write_number(row, col, value, formats[kind])

    def _row_writer(self, sheet, formats, columns):
        """A fast writer for streamed rows whose datetimes are already local (see
        `_local_sql`): the cell method and format of each column are bound once."""
        methods = {
            "text": sheet.write_string,
            "datetime": sheet.write_datetime,
            "date": sheet.write_datetime,
        }
        cells = [
            (col, methods.get(kind, sheet.write_number), formats[kind])
            for col, (_header, kind, _width) in enumerate(columns)
        ]

        def write(row, values):
            for (col, method, cell_format), value in zip(cells, values, strict=True):
                if value is not None:
                    method(row, col, value, cell_format)

        return write

    def _local_sql(self, formats, column):
        """SQL of a UTC timestamp column in the user's timezone (naive, as Excel wants)."""
        return SQL("(%s AT TIME ZONE 'UTC' AT TIME ZONE %s)", SQL(column), formats["tz"].zone)

    def _finish_sheet(self, sheet, header_row, last_row, columns):
        sheet.autofilter(header_row, 0, max(last_row, header_row), len(columns) - 1)

    def _stream(self, query):
        """Execute `query` and yield its rows in batches (one query, no per-row reads)."""
        cr = self.env.cr
        cr.execute(query)
        while rows := cr.fetchmany(FETCH_BATCH):
            yield from rows

    def _selection_labels(self, model, field):
        return dict(self.env[model]._fields[field]._description_selection(self.env))

    @staticmethod
    def _yes_no(formats, value):
        return formats["yes"] if value else formats["no"]

    # ------------------------------------------------------------------
    # Sheets
    # ------------------------------------------------------------------

    def _sheet_summary(self, workbook, formats, domain, title):
        _ = self.env._
        columns = [
            (_("Rank"), "int", 6),
            (_("Salesperson"), "text", 22),
            (_("Order Count"), "int", 8),
            (_("Amount (Company Currency)"), "money", 16),
            (_("First-Time Right"), "int", 10),
            (_("Accuracy %"), "percent", 10),
            (_("Rejections"), "int", 10),
            (_("Changes"), "int", 10),
            (_("Cancelled"), "int", 10),
            (_("Review Decisions"), "int", 10),
            (_("SLA Breaches"), "int", 10),
            (_("SLA Compliance %"), "percent", 10),
            (_("Avg. Review Hours"), "hours", 10),
            (_("Avg. Review Working Hours"), "hours", 10),
            (_("Delivered"), "int", 10),
            (_("On Time"), "int", 10),
            (_("On-Time %"), "percent", 10),
            (_("Avg. Days to Deliver"), "days", 10),
            (_("Avg. Days to Invoice"), "days", 10),
            (_("DSO (Days)"), "days", 10),
            (_("Exceptions"), "int", 10),
            (_("Ratings"), "int", 8),
            (_("Satisfaction (of 5)"), "float", 10),
            (_("Score"), "float", 8),
        ]
        sheet, row = self._start_sheet(
            workbook, formats, _("Summary"), columns, title=title or _("Sales order assessment")
        )
        first = row
        for card in self.env["sale.policy.kpi.report"]._policy_scorecards(domain):
            values = [
                card["rank"],
                card["user"].name or _("Unassigned"),
                card["order_count"],
                card["amount_total"],
                card["first_time_right_count"],
                card["accuracy"],
                card["rejection_count"],
                card["change_count"],
                card["cancelled"],
                card["review_count"],
                card["sla_breach_count"],
                card["sla_compliance"],
                card["review_hours"],
                card["review_work_hours"],
                card["delivered_count"],
                card["on_time_count"],
                card["on_time_rate"],
                card["days_to_deliver"],
                card["days_to_invoice"],
                card["dso"],
                card["exception_count"],
                card["rating_count"],
                card["satisfaction"],
                card["score"],
            ]
            self._write_row(sheet, formats, row, columns, values)
            row += 1
        self._finish_sheet(sheet, first - 1, row - 1, columns)

    def _sheet_orders(self, workbook, formats, order_query):
        _ = self.env._
        columns = [
            (_("Order"), "text", 14),
            (_("Order Date"), "datetime", 17),
            (_("Salesperson"), "text", 20),
            (_("Sales Team"), "text", 16),
            (_("Customer"), "text", 28),
            (_("Priority"), "text", 8),
            (_("Status"), "text", 12),
            (_("Approval"), "text", 12),
            (_("Amount (Company Currency)"), "money", 16),
            (_("Submitted on"), "datetime", 17),
            (_("Review Rounds"), "int", 8),
            (_("Review Working Hours"), "hours", 10),
            (_("First-Time Right"), "text", 8),
            (_("Rejections"), "int", 8),
            (_("Changes"), "int", 8),
            (_("SLA Breaches"), "int", 8),
            (_("Delivered on"), "datetime", 17),
            (_("On Time"), "text", 8),
            (_("Days to Deliver"), "days", 8),
            (_("Days to Pay"), "days", 8),
            (_("Exceptions"), "int", 8),
            (_("Satisfaction (of 5)"), "float", 8),
        ]
        priorities = self._selection_labels("sale.policy.kpi.report", "priority")
        states = self._selection_labels("sale.policy.kpi.report", "state")
        approvals = self._selection_labels("sale.policy.kpi.report", "approval_state")
        yes, no = formats["yes"], formats["no"]
        kpi_columns = (
            "id",
            "name",
            "date_order",
            "user_id",
            "team_id",
            "partner_id",
            "priority",
            "state",
            "approval_state",
            "amount_total",
            "submitted_on",
            "review_rounds",
            "review_work_hours",
            "first_time_right_count",
            "rejection_count",
            "change_count",
            "sla_breach_count",
            "delivered_on",
            "delivered_count",
            "on_time_count",
            "days_to_deliver",
            "days_to_pay",
            "exception_count",
            "rating_avg",
        )
        # Names are joined in SQL: no ORM read may run on the cursor while rows stream.
        query = SQL(
            """
            SELECT k.name, %(date_order)s, salesperson.name,
                   COALESCE(team.name->>%(lang)s, team.name->>'en_US'),
                   COALESCE(customer.complete_name, customer.name),
                   k.priority, k.state, k.approval_state, k.amount_total, %(submitted_on)s,
                   k.review_rounds, k.review_work_hours, k.first_time_right_count,
                   k.rejection_count, k.change_count, k.sla_breach_count, %(delivered_on)s,
                   k.delivered_count, k.on_time_count, k.days_to_deliver, k.days_to_pay,
                   k.exception_count, k.rating_avg
              FROM (%(orders)s) k
              LEFT JOIN res_users u ON u.id = k.user_id
              LEFT JOIN res_partner salesperson ON salesperson.id = u.partner_id
              LEFT JOIN crm_team team ON team.id = k.team_id
              LEFT JOIN res_partner customer ON customer.id = k.partner_id
             ORDER BY k.date_order, k.id
            """,
            orders=order_query.select(
                *(SQL.identifier(order_query.table, fname) for fname in kpi_columns)
            ),
            lang=self.env.lang or "en_US",
            date_order=self._local_sql(formats, "k.date_order"),
            submitted_on=self._local_sql(formats, "k.submitted_on"),
            delivered_on=self._local_sql(formats, "k.delivered_on"),
        )
        sheet, row = self._start_sheet(workbook, formats, _("Order Details"), columns)
        first = row
        write = self._row_writer(sheet, formats, columns)
        for rec in self._stream(query):
            write(
                row,
                (
                    rec[0],
                    rec[1],
                    rec[2],
                    rec[3],
                    rec[4],
                    priorities.get(rec[5]),
                    states.get(rec[6]),
                    approvals.get(rec[7]),
                    rec[8],
                    rec[9],
                    rec[10],
                    rec[11],
                    yes if rec[12] else no,
                    rec[13],
                    rec[14],
                    rec[15],
                    rec[16],
                    (yes if rec[18] else no) if rec[17] else None,
                    rec[19],
                    rec[20],
                    rec[21],
                    rec[22],
                ),
            )
            row += 1
        self._finish_sheet(sheet, first - 1, row - 1, columns)

    def _sheet_reviews(self, workbook, formats, order_query):
        _ = self.env._
        columns = [
            (_("Order"), "text", 14),
            (_("Salesperson"), "text", 20),
            (_("Step"), "text", 20),
            (_("Round"), "int", 6),
            (_("Status"), "text", 10),
            (_("Received on"), "datetime", 17),
            (_("Deadline"), "datetime", 17),
            (_("Decided on"), "datetime", 17),
            (_("Decided by"), "text", 20),
            (_("Decision Hours"), "hours", 8),
            (_("Decision Working Hours"), "hours", 8),
            (_("SLA Breached"), "text", 8),
        ]
        states = self._selection_labels("sale.policy.review", "state")
        yes, no = formats["yes"], formats["no"]
        query = SQL(
            """
            SELECT so.name, salesperson.name,
                   COALESCE(rule.name->>%(lang)s, rule.name->>'en_US'), r.review_round, r.state,
                   %(activated_on)s, %(deadline)s, %(decided_on)s, decider.name,
                   CASE WHEN r.decided_on IS NOT NULL THEN r.decision_hours END,
                   CASE WHEN r.decided_on IS NOT NULL THEN r.decision_work_hours END,
                   r.sla_breached
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
            lang=self.env.lang or "en_US",
            activated_on=self._local_sql(formats, "r.activated_on"),
            deadline=self._local_sql(formats, "r.deadline"),
            decided_on=self._local_sql(formats, "r.decided_on"),
        )
        sheet, row = self._start_sheet(workbook, formats, _("Reviews & SLA"), columns)
        first = row
        write = self._row_writer(sheet, formats, columns)
        for rec in self._stream(query):
            write(
                row,
                (
                    rec[0],
                    rec[1],
                    rec[2],
                    rec[3],
                    states.get(rec[4]),
                    rec[5],
                    rec[6],
                    rec[7],
                    rec[8],
                    rec[9],
                    rec[10],
                    yes if rec[11] else no,
                ),
            )
            row += 1
        self._finish_sheet(sheet, first - 1, row - 1, columns)

    def _sheet_exceptions(self, workbook, formats, order_query):
        _ = self.env._
        columns = [
            (_("Order"), "text", 14),
            (_("Exception"), "text", 24),
            (_("Status"), "text", 12),
            (_("Blocking"), "text", 8),
            (_("Responsible"), "text", 20),
            (_("Raised on"), "datetime", 17),
            (_("Deadline"), "datetime", 17),
            (_("Resolution"), "text", 40),
        ]
        states = self._selection_labels("sale.policy.exception", "state")
        exceptions = (
            self.env["sale.policy.exception"]
            .sudo()
            .search([("order_id", "in", order_query)], order="create_date, id")
        )
        sheet, row = self._start_sheet(workbook, formats, _("Exceptions"), columns)
        first = row
        for exc in exceptions:
            values = [
                exc.order_id.name,
                exc.type_id.display_name,
                states.get(exc.state),
                self._yes_no(formats, exc.blocking),
                exc.user_id.name,
                exc.create_date,
                exc.deadline,
                exc.resolution,
            ]
            self._write_row(sheet, formats, row, columns, values)
            row += 1
        self._finish_sheet(sheet, first - 1, row - 1, columns)

    def _sheet_aging(self, workbook, formats, domain):
        """Receivables aging (账龄) of the settlement feature, for readers allowed to see it."""
        if self._aging_model not in self.env or not self.env[self._aging_model].has_access("read"):
            return
        aging = self.env[self._aging_model]
        field_names = [
            fname
            for fname, field in aging._fields.items()
            if field.store
            and not fname.startswith("__")
            and fname not in models.MAGIC_COLUMNS
            and field.type not in ("one2many", "many2many", "binary", "html")
        ]
        kinds = {
            "integer": "int",
            "float": "float",
            "monetary": "money",
            "date": "date",
            "datetime": "datetime",
        }
        columns = [
            (
                aging._fields[fname].get_description(self.env)["string"],
                kinds.get(aging._fields[fname].type, "text"),
                14,
            )
            for fname in field_names
        ]
        # The open receivables of the assessed salespeople, in the assessed companies.
        kpi_groups = self.env["sale.policy.kpi.report"]._read_group(
            domain, ["user_id", "company_id"]
        )
        aging_domain = [
            ("user_id", "in", [user.id for user, _company in kpi_groups]),
            ("company_id", "in", [company.id for _user, company in kpi_groups]),
        ]
        sheet, row = self._start_sheet(workbook, formats, self.env._("Aging"), columns)
        first = row
        for record in aging.search_read(aging_domain, field_names):
            values = []
            for fname in field_names:
                value = record[fname]
                if isinstance(value, tuple):
                    value = value[1]
                elif aging._fields[fname].type == "selection" and value:
                    value = dict(aging._fields[fname]._description_selection(self.env))[value]
                elif aging._fields[fname].type == "boolean":
                    value = self._yes_no(formats, value)
                values.append(value)
            self._write_row(sheet, formats, row, columns, values)
            row += 1
        self._finish_sheet(sheet, first - 1, row - 1, columns)
