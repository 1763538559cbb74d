"""18.0.1.3.0: the receivables aging periods of a company are records
(`sale.policy.aging.period`) instead of numbered columns on `res.company`. Each company's
periods are rebuilt from the old columns (kept by Odoo after the fields went away), or
get the shipped defaults. The SLA analysis is no longer a database view but a
`_table_query`: its old view is dropped."""

from odoo import SUPERUSER_ID, api
from odoo.tools import sql

OLD_LIMITS = [f"sale_policy_aging_limit_{n}" for n in range(1, 5)]
OLD_RATES = ["sale_policy_provision_current"] + [f"sale_policy_provision_{n}" for n in range(1, 6)]


def _old_periods(cr):
    """{company id: [(days_to, open_ended, rate)]} from the old columns, if they exist."""
    if not all(sql.column_exists(cr, "res_company", column) for column in OLD_LIMITS + OLD_RATES):
        return {}
    cr.execute(f"SELECT id, {', '.join(OLD_LIMITS + OLD_RATES)} FROM res_company")  # noqa: S608
    periods = {}
    for company_id, *values in cr.fetchall():
        limits, rates = [0, *values[:4]], [rate or 0.0 for rate in values[4:]]
        periods[company_id] = [
            (limit or 0, False, rate) for limit, rate in zip(limits, rates[:5], strict=True)
        ] + [(0, True, rates[5])]
    return periods


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP VIEW IF EXISTS sale_policy_sla_report")
    env = api.Environment(cr, SUPERUSER_ID, {})
    old = _old_periods(cr)
    Period = env["sale.policy.aging.period"]
    vals_list = []
    for company in env["res.company"].with_context(active_test=False).search([]):
        if company.sale_policy_aging_period_ids:
            continue
        if company.id in old:
            vals_list += [
                {"company_id": company.id, "days_to": days, "open_ended": open_ended,
                 "provision_percent": rate}
                for days, open_ended, rate in old[company.id]
            ]  # fmt: skip
        else:
            vals_list += [dict(v, company_id=company.id) for v in Period._policy_default_vals()]
    Period.create(vals_list)
