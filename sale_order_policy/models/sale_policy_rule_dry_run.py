from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

DRY_RUN_DAYS = 90


class SalePolicyRule(models.Model):
    """Dry run: what an order rule would have caught over the last 90 days of orders."""

    _inherit = "sale.policy.rule"

    dry_run_order_count = fields.Integer(
        string="Orders Caught (90 days)",
        compute="_compute_dry_run",
        help="Orders of the last 90 days (not cancelled) that this rule, as it stands on "
        "the screen, would have sent to review. Check conditions use each order's latest "
        "check results; orders never checked count as passing every check.",
    )
    dry_run_amount = fields.Monetary(
        string="Their Total (90 days)",
        currency_field="company_currency_id",
        compute="_compute_dry_run",
    )
    dry_run_error = fields.Char(compute="_compute_dry_run")

    @api.depends(
        "applies_to", "company_id", "amount_min", "match_mode", "check_type_ids", "domain_condition"
    )
    def _compute_dry_run(self):
        for rule in self:
            rule.dry_run_order_count, rule.dry_run_amount = 0, 0.0
            rule.dry_run_error = False
            if rule.applies_to != "order" or not rule.company_id:
                continue
            try:
                query = rule._dry_run_query()
            except (ValueError, SyntaxError, NameError, TypeError) as error:
                rule.dry_run_error = self.env._(
                    "The condition is not a valid domain yet: %(error)s", error=error
                )
                continue
            self.env.cr.execute(
                query.select(
                    SQL("COUNT(*)"),
                    SQL(
                        "COALESCE(SUM(%s / COALESCE(NULLIF(%s, 0), 1)), 0)",
                        SQL.identifier(query.table, "amount_total"),
                        SQL.identifier(query.table, "currency_rate"),
                    ),
                )
            )
            rule.dry_run_order_count, rule.dry_run_amount = self.env.cr.fetchone()

    def _dry_run_query(self):
        """The orders of the last 90 days this rule applies to, as one query: the rule's
        domain, then its amount and check conditions combined as `_applies` does."""
        self.ensure_one()
        since = fields.Datetime.now() - timedelta(days=DRY_RUN_DAYS)
        domain = expression.AND(
            [
                expression.normalize_domain(self._get_domain() or []),
                [
                    ("company_id", "=", self.company_id._origin.id),
                    ("date_order", ">=", since),
                    ("state", "!=", "cancel"),
                ],
            ]
        )
        orders = self.env["sale.order"].sudo().with_context(active_test=False)
        query = orders._where_calc(domain)
        tests = self._dry_run_tests(query.table)
        if tests:
            operator = SQL(" OR ") if self.match_mode == "any" else SQL(" AND ")
            query.add_where(SQL("(%s)", SQL.join(operator, tests)))
        return query

    def _dry_run_tests(self, alias):
        tests = []
        if self.amount_min:
            tests.append(
                SQL(
                    "%s / COALESCE(NULLIF(%s, 0), 1) >= %s",
                    SQL.identifier(alias, "amount_total"),
                    SQL.identifier(alias, "currency_rate"),
                    self.amount_min,
                )
            )
        if self.check_type_ids:
            tests.append(
                SQL(
                    """EXISTS (
                        SELECT 1 FROM sale_policy_check dry_run_check
                         WHERE dry_run_check.order_id = %s
                           AND dry_run_check.active
                           AND dry_run_check.result != 'pass'
                           AND dry_run_check.check_type_id = ANY(%s))""",
                    SQL.identifier(alias, "id"),
                    self.check_type_ids._origin.ids,
                )
            )
        return tests

    def action_open_dry_run_orders(self):
        self.ensure_one()
        query = self._dry_run_query()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Caught by %(rule)s (90 days)", rule=self.name),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", [row[0] for row in self.env.execute_query(query.select())])],
            "context": {"create": False},
        }
