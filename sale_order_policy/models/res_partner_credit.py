from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_amount


class ResPartner(models.Model):
    """The policy's credit exposure (信用额度占用) of a customer: one figure, made of the
    components of `_policy_exposure_components()`, computed in one grouped query for many
    customers at once. The submission's credit check, the credit exception detector and
    the partner form all read it from `_policy_credit_exposure()`."""

    _inherit = "res.partner"

    sale_policy_credit_exposure = fields.Monetary(
        string="Credit Exposure",
        compute="_compute_sale_policy_credit",
        currency_field="sale_policy_credit_currency_id",
        groups="base.group_user",
        help="Open receivables plus confirmed orders not yet invoiced, in the current "
        "company's currency, for the whole commercial entity.",
    )
    sale_policy_credit_limit = fields.Monetary(
        string="Policy Credit Limit",
        compute="_compute_sale_policy_credit",
        currency_field="sale_policy_credit_currency_id",
        groups="base.group_user",
        help="Odoo's credit limit of the customer in the current company (0 when credit "
        "limits are off or none is set).",
    )
    sale_policy_credit_over_limit = fields.Boolean(
        string="Over Credit Limit", compute="_compute_sale_policy_credit", groups="base.group_user"
    )
    sale_policy_credit_detail = fields.Html(
        string="Credit Exposure Detail",
        compute="_compute_sale_policy_credit",
        groups="base.group_user",
    )
    sale_policy_credit_currency_id = fields.Many2one(
        "res.currency",
        string="Credit Exposure Currency",
        compute="_compute_sale_policy_credit",
        groups="base.group_user",
    )

    @api.depends_context("company")
    def _compute_sale_policy_credit(self):
        company = self.env.company
        exposures = self.filtered("id").commercial_partner_id._policy_credit_exposure(company)
        components = [c for c in self._policy_exposure_components() if not c.get("order_only")]
        for partner in self:
            figures = exposures.get((partner.commercial_partner_id.id, company.id))
            partner.sale_policy_credit_currency_id = company.currency_id
            if not figures:
                partner.sale_policy_credit_exposure = partner.sale_policy_credit_limit = 0.0
                partner.sale_policy_credit_over_limit = False
                partner.sale_policy_credit_detail = False
                continue
            partner.sale_policy_credit_exposure = figures["exposure"]
            partner.sale_policy_credit_limit = figures["limit"] or 0.0
            partner.sale_policy_credit_over_limit = figures["over_limit"]
            partner.sale_policy_credit_detail = partner._policy_credit_detail_html(
                figures, components, company
            )

    # ------------------------------------------------------------------
    # The exposure
    # ------------------------------------------------------------------

    @api.model
    def _policy_exposure_components(self):
        """What makes up the credit exposure, in display order; extend with super().

        Each component is a dict:
        - `key`: the name of its amount in the figures;
        - `label`: shown on the partner form and in the credit check;
        - `sql`: a method (partner_ids, company_ids, order) returning an SQL query of rows
          (commercial partner id, company id, amount in company currency, …); components
          naming the same method share one scan, each reading its `column` (default 0)
          among the amounts; or
        - `compute`: a method (partners, companies, order) returning
          {(commercial partner id, company id): amount};
        - `in_total` (default True): False for a detail already counted by another one;
        - `order_only`: only meaningful for an order being checked (left off the form).
        """
        return [
            {
                "key": "receivable",
                "label": self.env._("Open receivables"),
                "sql": self._policy_exposure_receivable_sql,
            },
            {
                "key": "overdue",
                "label": self.env._("of which overdue past the grace days"),
                "sql": self._policy_exposure_receivable_sql,
                "column": 1,
                "in_total": False,
            },
            {
                "key": "to_invoice",
                "label": self.env._("Confirmed orders not yet invoiced"),
                "sql": self._policy_exposure_to_invoice_sql,
            },
            {
                "key": "order",
                "label": self.env._("This order"),
                "compute": self._policy_exposure_this_order,
                "order_only": True,
            },
        ]

    def _policy_credit_exposure(self, companies, order=None):
        """Exposure of these commercial partners (customer and all its contacts) in
        `companies`.

        `order`: the order being checked; it counts as the `order` component and is left
        out of the others. Returns {(commercial partner id, company id): figures}, figures
        being {component key: amount, "exposure": total, "limit": Odoo's credit limit or
        None, "over_limit": bool}. One query for every SQL component together.
        """
        partners = self
        if order is not None:
            partners |= order.partner_id.commercial_partner_id
        if not partners or not companies:
            return {}
        components = self._policy_exposure_components()
        amounts = self._policy_exposure_amounts(partners, companies, order, components)
        limits = partners._policy_credit_limits(companies)
        result = {}
        for company in companies:
            currency = company.currency_id
            for partner in partners:
                key = (partner.id, company.id)
                figures = {c["key"]: amounts.get((c["key"], *key), 0.0) for c in components}
                figures["exposure"] = sum(
                    figures[c["key"]] for c in components if c.get("in_total", True)
                )
                figures["limit"] = limit = limits[key]
                figures["over_limit"] = (
                    limit is not None and currency.compare_amounts(figures["exposure"], limit) > 0
                )
                result[key] = figures
        return result

    @api.model
    def _policy_exposure_amounts(self, partners, companies, order, components):
        """{(component key, partner id, company id): amount} of every component; the SQL
        components in one query (each `sql` method once, its columns turned into rows)."""
        by_query = {}
        for component in components:
            if component.get("sql"):
                by_query.setdefault(component["sql"], []).append(component)
        queries = []
        for sql_method, members in by_query.items():
            width = max(member.get("column", 0) for member in members) + 1
            queries.append(
                SQL(
                    "SELECT v.key, c.partner_id, c.company_id, v.amount "
                    "FROM (%s) AS c(partner_id, company_id, %s) "
                    "CROSS JOIN LATERAL (VALUES %s) AS v(key, amount)",
                    sql_method(partners.ids, companies.ids, order),
                    SQL(", ").join(SQL.identifier(f"amount_{i}") for i in range(width)),
                    SQL(", ").join(
                        SQL(
                            "(%s, %s)",
                            m["key"],
                            SQL.identifier("c", f"amount_{m.get('column', 0)}"),
                        )
                        for m in members
                    ),
                )
            )
        amounts = {}
        if queries:
            for key, partner_id, company_id, amount in self.env.execute_query(
                SQL(" UNION ALL ").join(queries)
            ):
                amounts[key, partner_id, company_id] = float(amount or 0.0)
        for component in components:
            if component.get("compute"):
                for (partner_id, company_id), amount in component["compute"](
                    partners, companies, order
                ).items():
                    amounts[component["key"], partner_id, company_id] = amount
        return amounts

    def _policy_credit_limits(self, companies):
        """Odoo's own limit per (partner, company): `credit_limit`, which falls back to the
        company default (an ir.default); None when credit limits are off or no limit is set."""
        limits = {}
        for company in companies:
            use_limit = company.account_use_credit_limit
            for partner in self.with_company(company).sudo():
                limit = partner.credit_limit if use_limit else 0.0
                limits[partner.id, company.id] = limit if limit and limit > 0 else None
        return limits

    # ------------------------------------------------------------------
    # Components
    # ------------------------------------------------------------------

    @api.model
    def _policy_exposure_receivable_sql(self, partner_ids, company_ids, order):
        """Posted, unreconciled receivable lines of the customer and all its contacts, and
        (second amount) the part due more than the company's grace days ago."""
        self.env["account.move.line"].flush_model(
            [
                "amount_residual",
                "partner_id",
                "company_id",
                "account_id",
                "parent_state",
                "reconciled",
                "date_maturity",
            ]
        )
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        # The overdue limit date of each company, written into the query: a join on
        # res_company would be one more lookup per receivable line.
        today = fields.Date.context_today(self)
        overdue_before = SQL(
            "CASE aml.company_id %s END",
            SQL(" ").join(
                SQL(
                    "WHEN %s THEN %s::date",
                    company.id,
                    today - timedelta(days=company.sale_policy_overdue_days or 0),
                )
                for company in self.env["res.company"].browse(company_ids)
            ),
        )
        return SQL(
            """
            SELECT p.commercial_partner_id, aml.company_id, SUM(aml.amount_residual),
                   COALESCE(SUM(aml.amount_residual) FILTER (
                       WHERE aml.amount_residual > 0 AND aml.date_maturity < %(overdue_before)s
                   ), 0)
              FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN account_account acc ON acc.id = aml.account_id
             WHERE p.commercial_partner_id = ANY(%(partners)s)
               AND aml.company_id = ANY(%(companies)s)
               AND acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND NOT aml.reconciled
          GROUP BY 1, 2
            """,
            partners=partner_ids,
            companies=company_ids,
            overdue_before=overdue_before,
        )

    @api.model
    def _policy_exposure_to_invoice_sql(self, partner_ids, company_ids, order):
        """Confirmed orders by what is ordered and not yet invoiced (tax included), in
        company currency at the order's rate; the order being checked is left out."""
        self.env["sale.order.line"].flush_model(
            ["price_total", "product_uom_qty", "qty_invoiced", "order_id"]
        )
        self.env["sale.order"].flush_model(["partner_id", "company_id", "state", "currency_rate"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        return SQL(
            """
            SELECT p.commercial_partner_id, o.company_id,
                   SUM(l.price_total * GREATEST(l.product_uom_qty - l.qty_invoiced, 0)
                       / l.product_uom_qty / COALESCE(NULLIF(o.currency_rate, 0), 1))
              FROM sale_order_line l
              JOIN sale_order o ON o.id = l.order_id
              JOIN res_partner p ON p.id = o.partner_id
             WHERE p.commercial_partner_id = ANY(%(partners)s)
               AND o.company_id = ANY(%(companies)s)
               AND o.state = 'sale'
               AND o.id != %(order)s
               AND l.product_uom_qty > 0
          GROUP BY 1, 2
            """,
            partners=partner_ids,
            companies=company_ids,
            order=(order._origin.id if order is not None else None) or 0,
        )

    @api.model
    def _policy_exposure_this_order(self, partners, companies, order):
        if order is None or order.company_id not in companies:
            return {}
        key = (order.partner_id.commercial_partner_id.id, order.company_id.id)
        return {key: order._policy_credit_order_amount()}

    # ------------------------------------------------------------------
    # Partner form
    # ------------------------------------------------------------------

    def _policy_credit_detail_html(self, figures, components, company):
        currency = company.currency_id
        return self.env["ir.qweb"]._render(
            "sale_order_policy.res_partner_credit_exposure",
            {
                "lines": [
                    {
                        "label": component["label"],
                        "amount": format_amount(self.env, figures[component["key"]], currency),
                        "detail": not component.get("in_total", True),
                    }
                    for component in components
                ],
                "exposure": format_amount(self.env, figures["exposure"], currency),
                "limit": figures["limit"] and format_amount(self.env, figures["limit"], currency),
                "over_limit": figures["over_limit"],
            },
        )
