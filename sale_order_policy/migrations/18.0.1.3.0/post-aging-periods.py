"""18.0.1.3.0: the receivables aging periods of a company are records
(`sale.policy.aging.period`) instead of numbered columns on `res.company`. Each company's
periods are rebuilt from the old columns (kept by Odoo after the fields went away), or
get the shipped defaults. The SLA analysis is no longer a database view but a
`_table_query`: its old view is dropped."""

from odoo import SUPERUSER_ID, api
from odoo.addons.sale_order_policy.models.sale_policy_aging_period import (
    DEFAULT_AGING_PERIODS,
)
from odoo.tools import SQL, sql

OLD_LIMITS = [f"sale_policy_aging_limit_{n}" for n in range(1, 5)]
OLD_RATES = ["sale_policy_provision_current"] + [f"sale_policy_provision_{n}" for n in range(1, 6)]


def _old_periods(cr):
    """{company id: [(days_to, open_ended, rate)]} from the old columns, if they exist;
    an empty column falls back on the shipped default."""
    if not all(sql.column_exists(cr, "res_company", column) for column in OLD_LIMITS + OLD_RATES):
        return {}
    cr.execute(
        SQL(
            "SELECT id, %s FROM res_company",
            SQL(", ").join(SQL.identifier(column) for column in OLD_LIMITS + OLD_RATES),
        )
    )
    periods = {}
    for company_id, *values in cr.fetchall():
        limits = [0, *values[:4], 0]
        periods[company_id] = [
            (
                default_limit or 0 if limit is None else limit,
                default_limit is None,
                default_rate if rate is None else rate,
            )
            for (default_limit, default_rate), limit, rate in zip(
                DEFAULT_AGING_PERIODS, limits, values[4:], strict=True
            )
        ]
    return periods


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP VIEW IF EXISTS sale_policy_sla_report")
    env = api.Environment(cr, SUPERUSER_ID, {})
    old = _old_periods(cr)
    Period = env["sale.policy.aging.period"]
    defaults = [(days or 0, days is None, rate) for days, rate in DEFAULT_AGING_PERIODS]
    companies = env["res.company"].with_context(active_test=False).search([])
    Period.create(
        [
            {
                "company_id": company.id,
                "days_to": days,
                "open_ended": older,
                "provision_percent": rate,
            }
            for company in companies.filtered(lambda c: not c.sale_policy_aging_period_ids)
            for days, older, rate in old.get(company.id, defaults)
        ]
    )
