import io
from collections import defaultdict

import xlsxwriter

from odoo import api, fields, models
from odoo.tools import SQL

from .sale_policy_xlsx import Column, PolicyXlsx


def policy_bucket(index):
    """Key of the aging period at `index` (0-based) of a company: current, p1, p2, …"""
    return f"p{index}" if index else "current"


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
        "res.company": ["currency_id"],
        "sale.policy.aging.period": ["company_id", "days_to", "open_ended", "provision_percent"],
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
        """One value per aging period of the current company ("current" is the first,
        then p1, p2, …), plus plain values for companies that have more periods."""
        labels = self.env.company._sale_policy_aging_periods()._policy_labels()
        counts = (
            self.env["sale.policy.aging.period"].sudo()._read_group([], ["company_id"], ["__count"])
        )
        size = max([len(labels), *(count for _company, count in counts)])
        labels += [self.env._("Period %(number)s", number=n + 1) for n in range(len(labels), size)]
        return [(policy_bucket(n), label) for n, label in enumerate(labels)]

    @api.model
    def _policy_aging_date(self):
        value = self.env.context.get("sale_policy_aging_date")
        return fields.Date.to_date(value) if value else fields.Date.context_today(self)

    @property
    def _table_query(self):
        # The provision is on the customer's NET balance: its open credits (credit notes,
        # unmatched payments) offset its oldest debits first (earliest due date), and only
        # what stays uncovered is provisioned at its period's rate. A customer whose net
        # balance is zero or negative gets no provision.
        return SQL(
            """
            SELECT open.*,
                   company.currency_id AS currency_id,
                   ROUND((open.uncovered * open.provision_rate / 100.0)::numeric,
                         currency.decimal_places)::float AS provision
              FROM (SELECT netted.*,
                           CASE WHEN period.n = 0 THEN 'current' ELSE 'p' || period.n END
                               AS bucket,
                           COALESCE(periods.rates[period.n + 1], 0.0) AS provision_rate
                      FROM (%(netted)s) netted
                      LEFT JOIN (%(periods)s) periods ON periods.company_id = netted.company_id
                     CROSS JOIN LATERAL (
                           SELECT COALESCE(width_bucket(netted.days_overdue, periods.starts), 0)
                                  AS n
                     ) period
                    OFFSET 0  -- computed here: the period arrays are not carried further
              ) open
              JOIN res_company company ON company.id = open.company_id
              JOIN res_currency currency ON currency.id = company.currency_id
            """,
            netted=self._policy_netted_lines_query(self._policy_aging_date()),
            periods=self._policy_periods_query(),
        )

    @api.model
    def _policy_periods_query(self):
        """The aging periods of each company as one row: `starts`, the first day overdue
        of every period after the first (for `width_bucket`: 0 is the first period, then
        p1, p2, … as in `_selection_bucket`), and `rates`, the provision rate of each."""
        return SQL(
            """
            SELECT p.company_id,
                   ARRAY_AGG(p.days_to + 1 ORDER BY p.days_to) FILTER (WHERE NOT p.open_ended)
                       AS starts,
                   ARRAY_AGG(p.provision_percent ORDER BY p.open_ended, p.days_to, p.id)
                       AS rates
              FROM sale_policy_aging_period p
             GROUP BY p.company_id
            """
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

    # ------------------------------------------------------------------
    # XLSX export
    # ------------------------------------------------------------------

    @api.model
    def _policy_xlsx_export(self, domain=None):
        """The aging by customer, then the open invoices, as an XLSX file (bytes)."""
        domain = domain or []
        # Rows are keyed by journal item: values of another as-of date may be cached.
        self.invalidate_model()
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True})
        xlsx = PolicyXlsx(self.env, workbook)
        self._policy_xlsx_by_customer(xlsx, domain)
        self._policy_xlsx_open_invoices(xlsx, domain, self.env._("Open Invoices"))
        workbook.close()
        return output.getvalue()

    def _policy_xlsx_customer_columns(self):
        _ = self.env._
        return [
            Column(_("Customer"), "customer", "text", 40),
            Column(_("Company"), "company", "text", 16),
            *(Column(label, bucket, "money", 16) for bucket, label in self._selection_bucket()),
            Column(_("Open Amount"), "residual", "money", 16),
            Column(_("Bad-Debt Provision"), "provision", "money", 16),
        ]

    @api.model
    def _policy_xlsx_by_customer(self, xlsx, domain):
        """One row per customer and company: open amount per period, total, provision."""
        groups = self._read_group(
            domain, ["partner_id", "company_id", "bucket"], ["residual:sum", "provision:sum"]
        )
        rows = {}
        total = defaultdict(float, customer=self.env._("Total"), company=None)
        for partner, company, bucket, residual, provision in groups:
            partner, company = partner.sudo(), company.sudo()
            row = rows.setdefault(
                (partner.display_name or "", company.id),
                defaultdict(float, customer=partner.display_name or "", company=company.name),
            )
            for values in (row, total):
                values[bucket] += residual
                values["residual"] += residual
                values["provision"] += provision
        columns = self._policy_xlsx_customer_columns()
        title = self.env._("Receivables aging as of %(date)s", date=self._policy_aging_date())
        sheet, row = xlsx.write_sheet(
            self.env._("Aging by Customer"),
            columns,
            (rows[key] for key in sorted(rows)),
            title=title,
            header_row=2,
        )
        xlsx.write_total(sheet, row, columns, total)

    def _policy_xlsx_invoice_columns(self, xlsx):
        _ = self.env._
        return [
            Column(_("Invoice"), SQL("move.name"), "text", 24),
            Column(
                _("Customer"), SQL("COALESCE(customer.complete_name, customer.name)"), "text", 24
            ),
            Column(_("Salesperson"), SQL("salesperson.name"), "text", 24),
            Column(_("Invoice Date"), SQL("a.invoice_date"), "date", 16),
            Column(_("Due Date"), SQL("a.date_due"), "date", 16),
            Column(_("Days Overdue"), SQL("a.days_overdue"), "int", 16),
            Column(
                _("Aging Period"), SQL("a.bucket"), "text", 16, xlsx.selection(self._name, "bucket")
            ),
            Column(_("Original Amount"), SQL("a.amount_original"), "money", 16),
            Column(_("Open Amount"), SQL("a.residual"), "money", 16),
            Column(_("Provision Rate (%)"), SQL("a.provision_rate"), "float", 16),
            Column(_("Bad-Debt Provision"), SQL("a.provision"), "money", 16),
        ]

    @api.model
    def _policy_xlsx_open_invoices(self, xlsx, domain, sheet_name):
        """The open receivable lines, streamed from the report query (record rules applied
        by `_search`), names joined in SQL: no ORM record per row for 100,000 lines."""
        columns = self._policy_xlsx_invoice_columns(xlsx)
        lines = self._search(domain, order="partner_id, date_due, id")
        from_clause = SQL(
            """
              FROM (%(lines)s) a
              JOIN account_move move ON move.id = a.move_id
              LEFT JOIN res_partner customer ON customer.id = a.partner_id
              LEFT JOIN res_users u ON u.id = a.user_id
              LEFT JOIN res_partner salesperson ON salesperson.id = u.partner_id
             ORDER BY a.partner_id, a.date_due, a.id
            """,
            lines=lines.select(SQL("%s.*", SQL.identifier(lines.table))),
        )
        xlsx.write_query_sheet(sheet_name, columns, from_clause)
