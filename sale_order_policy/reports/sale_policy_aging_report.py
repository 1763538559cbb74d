import io

import xlsxwriter

from odoo import api, fields, models
from odoo.tools import SQL

BUCKETS = ["current", "p1", "p2", "p3", "p4", "p5"]


class SalePolicyAgingReport(models.Model):
    """Receivables aging (账龄分析) as of a date, with the bad-debt provision (坏账准备)
    on each customer's net balance.

    One row per receivable line of a posted customer invoice or credit note. The open
    amount is rebuilt from the partial reconciliations dated on or before the as-of date,
    in company currency, so partial payments, credit notes and foreign currencies
    (exchange differences included) age correctly at any past date.
    The date comes from the context key ``sale_policy_aging_date`` (default: today).
    """

    _name = "sale.policy.aging.report"
    _description = "Receivables Aging"
    _auto = False
    _rec_name = "move_id"
    _order = "date_due, id"
    _depends = {
        "account.move": [
            "move_type",
            "commercial_partner_id",
            "invoice_user_id",
            "team_id",
            "currency_id",
            "invoice_date",
            "invoice_date_due",
        ],
        "account.move.line": [
            "move_id",
            "account_id",
            "company_id",
            "balance",
            "date",
            "date_maturity",
            "parent_state",
        ],
        "account.account": ["account_type"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
        "res.company": [
            "currency_id",
            "sale_policy_aging_limit_1",
            "sale_policy_aging_limit_2",
            "sale_policy_aging_limit_3",
            "sale_policy_aging_limit_4",
            "sale_policy_provision_current",
            "sale_policy_provision_1",
            "sale_policy_provision_2",
            "sale_policy_provision_3",
            "sale_policy_provision_4",
            "sale_policy_provision_5",
        ],
    }

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_type = fields.Selection(
        [
            ("out_invoice", "Customer Invoice"),
            ("out_refund", "Credit Note"),
            ("out_receipt", "Sales Receipt"),
        ],
        string="Type",
        readonly=True,
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    invoice_currency_id = fields.Many2one("res.currency", string="Invoice Currency", readonly=True)
    invoice_date = fields.Date(readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    aging_date = fields.Date(string="As of", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(selection="_selection_bucket", string="Aging Period", readonly=True)
    amount_original = fields.Monetary(string="Original Amount", readonly=True)
    residual = fields.Monetary(string="Open Amount", readonly=True)
    provision_rate = fields.Float(string="Provision Rate (%)", readonly=True, aggregator=False)
    provision = fields.Monetary(string="Bad-Debt Provision", readonly=True)

    @api.model
    def _selection_bucket(self):
        limits = self.env.company._sale_policy_aging_limits()
        return [
            ("current", self.env._("Not Due")),
            ("p1", self.env._("%(low)s–%(high)s days", low=1, high=limits[0])),
            ("p2", self.env._("%(low)s–%(high)s days", low=limits[0] + 1, high=limits[1])),
            ("p3", self.env._("%(low)s–%(high)s days", low=limits[1] + 1, high=limits[2])),
            ("p4", self.env._("%(low)s–%(high)s days", low=limits[2] + 1, high=limits[3])),
            ("p5", self.env._("Over %(days)s days", days=limits[3])),
        ]

    @api.model
    def _policy_aging_date(self):
        value = self.env.context.get("sale_policy_aging_date")
        return fields.Date.to_date(value) if value else fields.Date.context_today(self)

    @property
    def _table_query(self):
        aging_date = self._policy_aging_date()
        bucket_sql = SQL(
            """CASE
                WHEN open.days_overdue <= 0 THEN 'current'
                WHEN open.days_overdue <= company.sale_policy_aging_limit_1 THEN 'p1'
                WHEN open.days_overdue <= company.sale_policy_aging_limit_2 THEN 'p2'
                WHEN open.days_overdue <= company.sale_policy_aging_limit_3 THEN 'p3'
                WHEN open.days_overdue <= company.sale_policy_aging_limit_4 THEN 'p4'
                ELSE 'p5'
            END"""
        )
        rate_sql = SQL(
            """CASE
                WHEN open.days_overdue <= 0 THEN company.sale_policy_provision_current
                WHEN open.days_overdue <= company.sale_policy_aging_limit_1
                    THEN company.sale_policy_provision_1
                WHEN open.days_overdue <= company.sale_policy_aging_limit_2
                    THEN company.sale_policy_provision_2
                WHEN open.days_overdue <= company.sale_policy_aging_limit_3
                    THEN company.sale_policy_provision_3
                WHEN open.days_overdue <= company.sale_policy_aging_limit_4
                    THEN company.sale_policy_provision_4
                ELSE company.sale_policy_provision_5
            END"""
        )
        # The provision is on the customer's NET balance: its open credits (credit notes,
        # unmatched payments) offset its oldest debits first (earliest due date), and only
        # what stays uncovered is provisioned at its period's rate. A customer whose net
        # balance is zero or negative gets no provision.
        return SQL(
            """
            SELECT open.*,
                   company.currency_id AS currency_id,
                   %(bucket)s AS bucket,
                   COALESCE(%(rate)s, 0.0) AS provision_rate,
                   ROUND((open.uncovered * COALESCE(%(rate)s, 0.0) / 100.0)::numeric,
                         currency.decimal_places)::float AS provision
              FROM (%(netted)s) open
              JOIN res_company company ON company.id = open.company_id
              JOIN res_currency currency ON currency.id = company.currency_id
            """,
            bucket=bucket_sql,
            rate=rate_sql,
            netted=self._policy_netted_lines_query(aging_date),
        )

    @api.model
    def _policy_netted_lines_query(self, aging_date):
        """Open lines with ``uncovered``: the part of a debit the customer's credits leave.

        Credits of a customer (company, commercial partner) cover its debits oldest first;
        a credit line itself is never provisioned (``uncovered`` = 0).
        """
        return SQL(
            """
            SELECT lines.*,
                   CASE WHEN lines.residual <= 0 THEN 0.0
                        ELSE lines.residual - LEAST(lines.residual, GREATEST(
                            lines.credits - lines.older_debits, 0.0))
                   END AS uncovered
              FROM (
                    SELECT open_line.*,
                           COALESCE(SUM(GREATEST(-open_line.residual, 0.0)) OVER customer, 0.0)
                               AS credits,
                           COALESCE(SUM(GREATEST(open_line.residual, 0.0)) OVER (
                               customer ORDER BY open_line.date_due, open_line.id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0.0)
                               AS older_debits
                      FROM (%(open_lines)s) open_line
                     WHERE open_line.residual != 0
                    WINDOW customer AS (PARTITION BY open_line.company_id, open_line.partner_id)
              ) lines
            """,
            open_lines=self._policy_open_lines_query(aging_date),
        )

    @api.model
    def _policy_open_lines_query(self, aging_date):
        """Receivable lines of posted customer invoices with their open amount at the date.

        residual = balance - matched against it (as debit) + matched from it (as credit),
        counting only partials whose later line is dated on or before ``aging_date``.
        """
        return SQL(
            """
            SELECT line.id AS id,
                   line.move_id AS move_id,
                   move.move_type AS move_type,
                   move.commercial_partner_id AS partner_id,
                   move.invoice_user_id AS user_id,
                   move.team_id AS team_id,
                   line.company_id AS company_id,
                   move.currency_id AS invoice_currency_id,
                   move.invoice_date AS invoice_date,
                   COALESCE(line.date_maturity, move.invoice_date_due, line.date) AS date_due,
                   %(aging_date)s::date AS aging_date,
                   %(aging_date)s::date - COALESCE(line.date_maturity, move.invoice_date_due,
                                                   line.date) AS days_overdue,
                   line.balance AS amount_original,
                   ROUND((line.balance - COALESCE(debit_match.amount, 0.0)
                          + COALESCE(credit_match.amount, 0.0))::numeric, 6)::float AS residual
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN account_account account ON account.id = line.account_id
              LEFT JOIN LATERAL (
                    SELECT SUM(partial.amount) AS amount
                      FROM account_partial_reconcile partial
                     WHERE partial.debit_move_id = line.id
                       AND partial.max_date <= %(aging_date)s
              ) debit_match ON TRUE
              LEFT JOIN LATERAL (
                    SELECT SUM(partial.amount) AS amount
                      FROM account_partial_reconcile partial
                     WHERE partial.credit_move_id = line.id
                       AND partial.max_date <= %(aging_date)s
              ) credit_match ON TRUE
             WHERE account.account_type = 'asset_receivable'
               AND line.parent_state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
               AND line.date <= %(aging_date)s
            """,
            aging_date=aging_date,
        )

    def action_open_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "views": [(False, "form")],
            "target": "current",
        }

    @api.model
    def _policy_xlsx_export(self, domain=None):
        """The aging by customer, then the open invoices, as an XLSX file (bytes)."""
        domain = domain or []
        # Rows are keyed by journal item: values of another as-of date may be cached.
        self.invalidate_model()
        labels = dict(self._selection_bucket())
        aging_date = self._policy_aging_date()
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        money_bold = workbook.add_format({"num_format": "#,##0.00", "bold": True})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})

        sheet = workbook.add_worksheet(self.env._("Aging by Customer"))
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 10, 16)
        sheet.write(0, 0, self.env._("Receivables aging as of %(date)s", date=aging_date), bold)
        headers = [
            self.env._("Customer"),
            self.env._("Company"),
            *[labels[bucket] for bucket in BUCKETS],
            self.env._("Open Amount"),
            self.env._("Bad-Debt Provision"),
        ]
        sheet.write_row(2, 0, headers, bold)
        groups = self._read_group(
            domain,
            ["partner_id", "company_id", "bucket"],
            ["residual:sum", "provision:sum"],
        )
        by_partner = {}
        for partner, company, bucket, residual, provision in groups:
            partner, company = partner.sudo(), company.sudo()
            row = by_partner.setdefault(
                (partner, company), {"buckets": dict.fromkeys(BUCKETS, 0.0), "provision": 0.0}
            )
            row["buckets"][bucket] += residual
            row["provision"] += provision
        totals = dict.fromkeys(BUCKETS, 0.0)
        total_provision = 0.0
        row_index = 3
        for (partner, company), row in sorted(
            by_partner.items(), key=lambda item: (item[0][0].display_name or "", item[0][1].id)
        ):
            sheet.write(row_index, 0, partner.display_name or "")
            sheet.write(row_index, 1, company.name)
            for col, bucket in enumerate(BUCKETS, start=2):
                sheet.write_number(row_index, col, row["buckets"][bucket], money)
                totals[bucket] += row["buckets"][bucket]
            sheet.write_number(row_index, 8, sum(row["buckets"].values()), money)
            sheet.write_number(row_index, 9, row["provision"], money)
            total_provision += row["provision"]
            row_index += 1
        sheet.write(row_index, 0, self.env._("Total"), bold)
        for col, bucket in enumerate(BUCKETS, start=2):
            sheet.write_number(row_index, col, totals[bucket], money_bold)
        sheet.write_number(row_index, 8, sum(totals.values()), money_bold)
        sheet.write_number(row_index, 9, total_provision, money_bold)

        detail = workbook.add_worksheet(self.env._("Open Invoices"))
        detail.set_column(0, 2, 24)
        detail.set_column(3, 11, 16)
        detail.write_row(
            0,
            0,
            [
                self.env._("Invoice"),
                self.env._("Customer"),
                self.env._("Salesperson"),
                self.env._("Invoice Date"),
                self.env._("Due Date"),
                self.env._("Days Overdue"),
                self.env._("Aging Period"),
                self.env._("Original Amount"),
                self.env._("Open Amount"),
                self.env._("Provision Rate (%)"),
                self.env._("Bad-Debt Provision"),
            ],
            bold,
        )
        # Detail rows straight from the report query (record rules applied by _search),
        # names looked up once per table: no ORM record per row for 100,000 lines.
        query = self._search(domain, order="partner_id, date_due, id")
        fnames = [
            "move_id",
            "partner_id",
            "user_id",
            "invoice_date",
            "date_due",
            "days_overdue",
            "bucket",
            "amount_original",
            "residual",
            "provision_rate",
            "provision",
        ]
        rows = self.env.execute_query(
            query.select(*(SQL.identifier(self._table, fname) for fname in fnames))
        )
        move_names = dict(
            self.env.execute_query(
                SQL(
                    "SELECT id, name FROM account_move WHERE id = ANY(%s)",
                    list({row[0] for row in rows}),
                )
            )
        )
        partner_names = {
            partner.id: partner.display_name
            for partner in self.env["res.partner"].sudo().browse({row[1] for row in rows if row[1]})
        }
        user_names = {
            user.id: user.name
            for user in self.env["res.users"].sudo().browse({row[2] for row in rows if row[2]})
        }
        for row_index, row in enumerate(rows, start=1):
            (move, partner, user, invoice_date, date_due, days, bucket, original, residual, rate,
             provision) = row  # fmt: skip
            detail.write(row_index, 0, move_names.get(move) or "")
            detail.write(row_index, 1, partner_names.get(partner) or "")
            detail.write(row_index, 2, user_names.get(user) or "")
            if invoice_date:
                detail.write_datetime(
                    row_index, 3, fields.Datetime.to_datetime(invoice_date), date_format
                )
            detail.write_datetime(row_index, 4, fields.Datetime.to_datetime(date_due), date_format)
            detail.write_number(row_index, 5, days)
            detail.write(row_index, 6, labels[bucket])
            detail.write_number(row_index, 7, original, money)
            detail.write_number(row_index, 8, residual, money)
            detail.write_number(row_index, 9, rate)
            detail.write_number(row_index, 10, provision, money)
        workbook.close()
        return output.getvalue()
