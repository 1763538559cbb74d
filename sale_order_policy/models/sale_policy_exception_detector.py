import logging

from odoo import api, fields, models
from odoo.tools import SQL, format_amount

from .sale_policy_exception import OPEN_STATES

_logger = logging.getLogger(__name__)


class SalePolicyException(models.Model):
    """Automatic detection (异常订单): one grouped query per detector finds the orders in
    the condition; the register raises what is new and resolves what has cleared. Run by
    the cron and by event hooks (delivery, reservation, reconciliation)."""

    _inherit = "sale.policy.exception"

    @api.model
    def _policy_detectors(self):
        """code → method(companies, orders) returning {order id: (message, links)} of the
        orders in the condition. Other modules add their own detectors here."""
        return {
            "late_delivery": self._detect_late_delivery,
            "stock_shortage": self._detect_stock_shortage,
            "payment_overdue": self._detect_payment_overdue,
            "credit": self._detect_credit,
        }

    @api.model
    def _policy_cleared_notes(self):
        return {
            "late_delivery": self.env._(
                "Resolved automatically: the order is fully delivered (or no longer has "
                "anything to deliver)."
            ),
            "stock_shortage": self.env._(
                "Resolved automatically: the delivery is ready (or done)."
            ),
            "payment_overdue": self.env._(
                "Resolved automatically: no invoice of the order is overdue any more."
            ),
            "credit": self.env._(
                "Resolved automatically: the customer is back within the credit limit."
            ),
        }

    @api.model
    def _policy_detect(self, orders=None, codes=None):
        """Raise what is detected, resolve what has cleared. `orders`: limit to these
        orders (event hooks); None: every order of the companies with the policy on.
        Returns {code: (raised, resolved)} counts."""
        companies = self.env["res.company"].sudo().search([("sale_policy_enabled", "=", True)])
        if orders is not None:
            orders = orders.sudo().filtered(lambda o: o.company_id in companies)
            if not orders:
                return {}
        if not companies:
            return {}
        self.env.flush_all()
        notes = self._policy_cleared_notes()
        return {
            code: self._policy_detect_code(code, detector, companies, orders, notes.get(code, ""))
            for code, detector in self._policy_detectors().items()
            if not codes or code in codes
        }

    @api.model
    def _policy_detect_code(self, code, detector, companies, orders, cleared_note):
        """One detector: returns (raised, resolved) counts."""
        found = detector(companies, orders)
        # Orders currently under an open exception of this code.
        open_exc = self.sudo().search(
            [
                ("code", "=", code),
                ("state", "in", OPEN_STATES),
                ("company_id", "in", companies.ids),
                *([("order_id", "in", orders.ids)] if orders is not None else []),
            ]
        )
        open_order_ids = set(open_exc.order_id.ids)
        Type = self.env["sale.policy.exception.type"].sudo()
        types = {company: Type._policy_find(code, company) for company in companies}
        items = []
        new_orders = (
            self.env["sale.order"]
            .sudo()
            .browse([order_id for order_id in found if order_id not in open_order_ids])
        )
        for order in new_orders:
            exc_type = types[order.company_id]
            if exc_type and exc_type.active:
                message, links = found[order.id]
                items.append((order, exc_type, message, links))
        raised = self._policy_raise_many(items, origin="auto")
        cleared = open_exc.filtered(lambda e: e.order_id.id not in found)
        cleared._policy_close_with_note(cleared_note)
        return len(raised), len(cleared)

    @api.model
    def _cron_detect(self):
        stats = self._policy_detect()
        escalated = self._policy_escalate()
        _logger.info(
            "Order exception detection: %s; %s escalated",
            ", ".join(f"{code} +{r}/-{c}" for code, (r, c) in stats.items()),
            len(escalated),
        )
        return stats

    # ------------------------------------------------------------------
    # Detectors (grouped SQL, one query each)
    # ------------------------------------------------------------------

    @api.model
    def _detect_sql(self, query):
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    @api.model
    def _policy_scope_sql(self, companies, orders, alias="so"):
        scope = SQL("%s.company_id = ANY(%s)", SQL.identifier(alias), companies.ids)
        if orders is not None:
            scope = SQL("%s AND %s.id = ANY(%s)", scope, SQL.identifier(alias), orders.ids)
        return scope

    @api.model
    def _detect_undelivered(self, companies, orders, pickings, committed, describe):
        """Confirmed orders with quantities to deliver whose commitment date meets
        `committed`, linked to their first picking among `pickings` (a join on `sp`; `rc`
        is the order's company). `describe(name, commitment)` gives the message."""
        rows = self._detect_sql(
            SQL(
                """
                SELECT so.id, so.name, so.commitment_date, MIN(sp.id)
                  FROM sale_order so
                  JOIN res_company rc ON rc.id = so.company_id
                       %(pickings)s
                 WHERE %(scope)s
                   AND so.state = 'sale'
                   AND so.commitment_date %(committed)s
                   AND so.delivery_status IN ('pending', 'started', 'partial')
              GROUP BY so.id
                """,
                pickings=pickings,
                scope=self._policy_scope_sql(companies, orders),
                committed=committed,
            )
        )
        return {
            order_id: (describe(name, commitment), {"picking_id": picking_id})
            for order_id, name, commitment, picking_id in rows
        }

    @api.model
    def _detect_late_delivery(self, companies, orders):
        """Committed date passed with quantities undelivered."""
        now = fields.Datetime.now()

        def describe(name, commitment):
            return self.env._(
                "Order %(order)s was committed for %(date)s and is not fully delivered "
                "(%(days)s days late).",
                order=name,
                date=fields.Datetime.to_string(commitment),
                days=round((now - commitment).total_seconds() / 86400.0, 1),
            )

        return self._detect_undelivered(
            companies,
            orders,
            SQL(
                "LEFT JOIN stock_picking sp ON sp.sale_id = so.id "
                "AND sp.state NOT IN ('done', 'cancel')"
            ),
            SQL("< %s", now),
            describe,
        )

    @api.model
    def _detect_stock_shortage(self, companies, orders):
        """The delivery is not ready N days (company setting) before the committed date."""

        def describe(name, commitment):
            return self.env._(
                "The delivery of order %(order)s, committed for %(date)s, is not ready: "
                "stock is missing.",
                order=name,
                date=fields.Datetime.to_string(commitment),
            )

        return self._detect_undelivered(
            companies,
            orders,
            SQL(
                "JOIN stock_picking sp ON sp.sale_id = so.id "
                "AND sp.state IN ('draft', 'waiting', 'confirmed')"
            ),
            SQL(
                "<= %s + make_interval(days => rc.sale_policy_at_risk_days)",
                fields.Datetime.now(),
            ),
            describe,
        )

    @api.model
    def _detect_payment_overdue(self, companies, orders):
        """An invoice of the order is overdue past the company's grace days."""
        rows = self._detect_sql(
            SQL(
                """
                SELECT so.id, so.name, MIN(am.id), MIN(am.invoice_date_due)
                  FROM sale_order so
                  JOIN res_company rc ON rc.id = so.company_id
                  JOIN sale_order_line sol ON sol.order_id = so.id
                  JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                  JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE %(scope)s
                   AND so.state = 'sale'
                   AND am.move_type = 'out_invoice'
                   AND am.state = 'posted'
                   AND am.payment_state IN ('not_paid', 'partial')
                   AND am.invoice_date_due + rc.sale_policy_overdue_days < %(today)s
              GROUP BY so.id
                """,
                scope=self._policy_scope_sql(companies, orders),
                today=fields.Date.context_today(self),
            )
        )
        Move = self.env["account.move"].sudo()
        return {
            order_id: (
                self.env._(
                    "Invoice %(invoice)s of order %(order)s was due on %(due)s and is still "
                    "unpaid after the grace days.",
                    invoice=Move.browse(move_id).name,
                    order=name,
                    due=fields.Date.to_string(due),
                ),
                {"invoice_id": move_id},
            )
            for order_id, name, move_id, due in rows
        }

    @api.model
    def _detect_credit(self, companies, orders):
        """Confirmed orders still to invoice whose customer is over its credit limit, by
        the policy's exposure (`res.partner._policy_credit_exposure`, no order excluded)."""
        companies = companies.filtered("account_use_credit_limit")
        if not companies:
            return {}
        rows = self._detect_sql(
            SQL(
                """
                SELECT so.id, so.name, p.commercial_partner_id, so.company_id
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE %(scope)s
                   AND so.state = 'sale'
                   AND so.invoice_status != 'invoiced'
                """,
                scope=self._policy_scope_sql(companies, orders),
            )
        )
        if not rows:
            return {}
        partners = self.env["res.partner"].sudo().browse(list({row[2] for row in rows}))
        exposures = partners._policy_credit_exposure(companies.browse({row[3] for row in rows}))
        result = {}
        for order_id, name, partner_id, company_id in rows:
            figures = exposures[partner_id, company_id]
            if not figures["over_limit"]:
                continue
            currency = self.env["res.company"].browse(company_id).currency_id
            result[order_id] = (
                self.env._(
                    "The customer of order %(order)s is over its credit limit: exposure "
                    "%(exposure)s, limit %(limit)s.",
                    order=name,
                    exposure=format_amount(self.env, figures["exposure"], currency),
                    limit=format_amount(self.env, figures["limit"], currency),
                ),
                {},
            )
        return result
