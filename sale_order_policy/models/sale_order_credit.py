from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_amount

PASS, WARNING, BLOCK = "pass", "warning", "block"


class SaleOrder(models.Model):
    """Credit check (信用审核): exposure of the commercial partner against Odoo's credit limit."""

    _inherit = "sale.order"

    policy_company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    policy_credit_exposure = fields.Monetary(
        string="Credit Exposure",
        currency_field="policy_company_currency_id",
        compute="_compute_policy_credit",
        help="Open receivables + confirmed orders not yet invoiced + this order, in company "
        "currency, for the customer and all its contacts.",
        groups="base.group_user",
    )
    policy_credit_limit = fields.Monetary(
        string="Credit Limit",
        currency_field="policy_company_currency_id",
        compute="_compute_policy_credit",
        groups="base.group_user",
    )

    @api.depends("partner_id", "amount_total", "company_id")
    def _compute_policy_credit(self):
        for order in self:
            if not order.partner_id or not order.company_id:
                order.policy_credit_exposure = order.policy_credit_limit = 0.0
                continue
            figures = order._policy_credit_figures()
            order.policy_credit_exposure = figures["exposure"]
            order.policy_credit_limit = figures["limit"] or 0.0

    def _policy_credit_limit(self):
        """Odoo's own limit: the partner's credit_limit, which falls back to the company
        default (an ir.default); None when credit limits are off or no limit is set."""
        self.ensure_one()
        company = self.company_id
        if not company.account_use_credit_limit:
            return None
        partner = self.partner_id.commercial_partner_id.with_company(company).sudo()
        limit = partner.credit_limit
        return limit if limit and limit > 0 else None

    def _policy_credit_figures(self):
        """Grouped SQL over receivables and open orders, independent of their number."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id.commercial_partner_id
        today = fields.Date.context_today(self)
        grace = company.sale_policy_overdue_days or 0
        self.env["account.move.line"].flush_model(
            [
                "amount_residual",
                "partner_id",
                "company_id",
                "account_type",
                "parent_state",
                "reconciled",
                "date_maturity",
            ]
        )
        self.env["sale.order.line"].flush_model(
            ["price_total", "product_uom_qty", "qty_invoiced", "order_id", "state"]
        )
        self.env["sale.order"].flush_model(["partner_id", "company_id", "state", "currency_rate"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        # One round trip: receivables (and their overdue part), then open orders to invoice.
        self.env.cr.execute(
            SQL(
                """
                WITH receivable AS (
                    SELECT COALESCE(SUM(aml.amount_residual), 0) AS total,
                           COALESCE(SUM(aml.amount_residual) FILTER (
                               WHERE aml.date_maturity < %(limit_date)s
                                 AND aml.amount_residual > 0), 0) AS overdue
                      FROM account_move_line aml
                      JOIN res_partner p ON p.id = aml.partner_id
                      JOIN account_account acc ON acc.id = aml.account_id
                     WHERE p.commercial_partner_id = %(partner)s
                       AND aml.company_id = %(company)s
                       AND acc.account_type = 'asset_receivable'
                       AND aml.parent_state = 'posted'
                       AND NOT aml.reconciled
                ), to_invoice AS (
                    SELECT COALESCE(SUM(
                               l.price_total * GREATEST(l.product_uom_qty - l.qty_invoiced, 0)
                               / l.product_uom_qty / COALESCE(NULLIF(o.currency_rate, 0), 1)
                           ), 0) AS total
                      FROM sale_order_line l
                      JOIN sale_order o ON o.id = l.order_id
                      JOIN res_partner p ON p.id = o.partner_id
                     WHERE p.commercial_partner_id = %(partner)s
                       AND o.company_id = %(company)s
                       AND o.state = 'sale'
                       AND o.id != %(order)s
                       AND l.product_uom_qty > 0
                )
                SELECT receivable.total, receivable.overdue, to_invoice.total
                  FROM receivable, to_invoice
                """,
                partner=partner.id,
                company=company.id,
                order=self._origin.id or 0,
                limit_date=today - timedelta(days=grace),
            )
        )
        receivable, overdue, to_invoice = self.env.cr.fetchone()
        if self.state != "sale":
            this_order = self._policy_amount_company()
        else:
            # A confirmed order counts by what it has left to invoice.
            this_order = sum(
                line.price_total
                * max(line.product_uom_qty - line.qty_invoiced, 0)
                / line.product_uom_qty
                for line in self.order_line
                if line.product_uom_qty > 0
            )
            this_order = self.currency_id._convert(this_order, company.currency_id, company, today)
        return {
            "receivable": receivable,
            "overdue": overdue,
            "to_invoice": to_invoice,
            "order": this_order,
            "exposure": receivable + to_invoice + this_order,
            "limit": self._policy_credit_limit(),
        }

    def _policy_check_credit(self):
        company = self.company_id
        currency = company.currency_id
        figures = self._policy_credit_figures()
        limit = figures["limit"]
        messages, result = [], PASS
        if limit is None:
            result = WARNING
            messages.append(
                self.env._(
                    "No credit limit is set for %(partner)s.",
                    partner=self.partner_id.commercial_partner_id.display_name,
                )
            )
        elif currency.compare_amounts(figures["exposure"], limit) > 0:
            result = BLOCK
            messages.append(
                self.env._(
                    "Credit limit exceeded: limit %(limit)s, exposure %(exposure)s "
                    "(receivables %(receivable)s + orders to invoice %(to_invoice)s + this "
                    "order %(order)s), excess %(excess)s.",
                    limit=format_amount(self.env, limit, currency),
                    exposure=format_amount(self.env, figures["exposure"], currency),
                    receivable=format_amount(self.env, figures["receivable"], currency),
                    to_invoice=format_amount(self.env, figures["to_invoice"], currency),
                    order=format_amount(self.env, figures["order"], currency),
                    excess=format_amount(self.env, figures["exposure"] - limit, currency),
                )
            )
        if currency.compare_amounts(figures["overdue"], 0.0) > 0:
            if company.sale_policy_overdue_block:
                result = BLOCK
            elif result == PASS:
                result = WARNING
            messages.append(
                self.env._(
                    "%(amount)s of receivables are overdue by more than %(days)s days.",
                    amount=format_amount(self.env, figures["overdue"], currency),
                    days=company.sale_policy_overdue_days,
                )
            )
        if result == PASS:
            messages.append(
                self.env._(
                    "Exposure %(exposure)s is within the credit limit %(limit)s.",
                    exposure=format_amount(self.env, figures["exposure"], currency),
                    limit=format_amount(self.env, limit, currency),
                )
            )
        return result, "\n".join(messages)
