"""The data of `history.py`: a small live setup made with the ORM (users, rules, one order
with 5 review rounds) and years of policy history inserted with SQL, by chunks."""

from odoo import Command

SALESPEOPLE = 40
YEARS = 5
CHUNK = 100_000

ORDERS_SQL = """
INSERT INTO sale_order (
    name, partner_id, partner_invoice_id, partner_shipping_id, company_id, currency_id,
    pricelist_id, currency_rate, user_id, date_order, state, approval_state, policy_round,
    policy_submitted_on, policy_approved_on, policy_confirmed_on, priority, amount_total,
    amount_untaxed, amount_tax, commitment_date, picking_policy, policy_handoff_pending,
    create_uid, write_uid, create_date, write_date)
SELECT 'HIST/' || n, p.id, p.id, p.id, %(company)s, %(currency)s, %(pricelist)s, 1.0,
       (%(sales)s::int[])[1 + mod(n, %(n_sales)s)], d.at,
       CASE WHEN n > %(total)s - %(pending)s THEN 'draft'
            WHEN mod(n, 33) = 0 THEN 'cancel' ELSE 'sale' END,
       CASE WHEN n > %(total)s - %(pending)s THEN 'pending' ELSE 'approved' END,
       CASE WHEN mod(n, 20) = 0 THEN 2 ELSE 1 END,
       d.at + interval '1 hour',
       CASE WHEN n > %(total)s - %(pending)s THEN NULL ELSE d.at + interval '5 hours' END,
       CASE WHEN n > %(total)s - %(pending)s THEN NULL ELSE d.at + interval '6 hours' END,
       '0', 100 + mod(n, 5000), 100 + mod(n, 5000), 0, d.at + interval '10 days', 'direct',
       false, %(uid)s, %(uid)s, d.at, d.at
  FROM generate_series(%(first)s, %(last)s) n
  JOIN LATERAL (SELECT (now() AT TIME ZONE 'UTC')
        - (%(total)s - n) * (%(span)s / %(total)s::float) * interval '1 second' AS at) d ON true
  JOIN LATERAL (SELECT (%(partners)s::int[])[1 + mod(n, %(n_partners)s)] AS id) p ON true
"""

# Two steps per round (sales head, finance); the orders of round 2 had their first
# round's sales-head step rejected. The newest orders wait for their sales head.
REVIEWS_SQL = """
INSERT INTO sale_policy_review (
    res_model, res_id, order_id, company_id, rule_id, department, applies_to, sequence,
    review_round, state, approval_mode, activated_on, sla_hours, deadline, round_deadline,
    reminder_due_on, decided_on, decided_by_id, decision_hours, sla_breached, create_uid,
    write_uid, create_date, write_date)
SELECT 'sale.order', so.id, so.id, so.company_id, step.rule_id, step.department, 'order',
       step.sequence,
       r.round, s.state, 'any', so.policy_submitted_on, 24.0,
       CASE WHEN s.open THEN (now() AT TIME ZONE 'UTC') + interval '20 hours'
            ELSE so.policy_submitted_on + interval '24 hours' END,
       CASE WHEN s.open THEN (now() AT TIME ZONE 'UTC') + interval '20 hours'
            ELSE so.policy_submitted_on + interval '24 hours' END,
       CASE WHEN s.open THEN (now() AT TIME ZONE 'UTC') + interval '15 hours'
            ELSE so.policy_submitted_on + interval '18 hours' END,
       CASE WHEN s.decided THEN so.policy_submitted_on + mod(so.id, 30) * interval '1 hour' END,
       CASE WHEN s.decided
            THEN (%(reviewers)s::int[])[1 + mod(so.id + step.sequence, %(n_reviewers)s)] END,
       mod(so.id, 30), mod(so.id, 30) > 24, %(uid)s, %(uid)s, so.create_date, so.create_date
  FROM sale_order so
  CROSS JOIN (VALUES (%(head_rule)s, 10, 'sales'), (%(finance_rule)s, 20, 'finance'))
       AS step(rule_id, sequence, department)
  CROSS JOIN LATERAL generate_series(1, so.policy_round) AS r(round)
  JOIN LATERAL (
        SELECT CASE WHEN r.round < so.policy_round THEN
                        CASE WHEN step.sequence = 10 THEN 'rejected' ELSE 'cancelled' END
                    WHEN so.approval_state = 'pending' THEN
                        CASE WHEN step.sequence = 10 THEN 'pending' ELSE 'waiting' END
                    ELSE 'approved' END AS state) st ON true
  JOIN LATERAL (SELECT st.state, st.state IN ('pending', 'waiting') AS open,
                       st.state IN ('approved', 'rejected') AS decided) s ON true
 WHERE so.id BETWEEN %(first_id)s AND %(last_id)s
"""

REVIEWERS_SQL = """
INSERT INTO sale_policy_review_reviewer_rel (review_id, user_id)
SELECT r.id, (%(reviewers)s::int[])[1 + mod(r.order_id + r.sequence + k, %(n_reviewers)s)]
  FROM sale_policy_review r CROSS JOIN generate_series(0, 1) k
 WHERE r.order_id BETWEEN %(first_id)s AND %(last_id)s
"""

CHECKS_SQL = """
INSERT INTO sale_policy_check (
    order_id, company_id, check_type_id, code, sequence, result, review_round, active,
    create_uid, write_uid, create_date, write_date)
SELECT so.id, so.company_id, ct.id, ct.code, ct.sequence, 'pass', so.policy_round, true,
       %(uid)s, %(uid)s, so.create_date, so.create_date
  FROM sale_order so CROSS JOIN sale_policy_check_type ct
 WHERE so.id BETWEEN %(first_id)s AND %(last_id)s
"""

# submit per round, one line per decision, confirm for confirmed orders.
LOGS_SQL = """
INSERT INTO sale_policy_log (
    order_id, company_id, review_id, review_round, event, user_id, date, amount_total,
    currency_id, create_uid, write_uid, create_date, write_date)
SELECT so.id, so.company_id, NULL, r.round, 'submit', so.user_id, so.policy_submitted_on,
       so.amount_total, so.currency_id, %(uid)s, %(uid)s, so.create_date, so.create_date
  FROM sale_order so CROSS JOIN LATERAL generate_series(1, so.policy_round) AS r(round)
 WHERE so.id BETWEEN %(first_id)s AND %(last_id)s
UNION ALL
SELECT rv.order_id, rv.company_id, rv.id, rv.review_round,
       CASE WHEN rv.state = 'rejected' THEN 'reject' ELSE 'approve' END, rv.decided_by_id,
       rv.decided_on, NULL, NULL, %(uid)s, %(uid)s, rv.create_date, rv.create_date
  FROM sale_policy_review rv
 WHERE rv.order_id BETWEEN %(first_id)s AND %(last_id)s
   AND rv.state IN ('approved', 'rejected')
UNION ALL
SELECT so.id, so.company_id, NULL, so.policy_round, 'confirm', so.user_id,
       so.policy_confirmed_on, so.amount_total, so.currency_id, %(uid)s, %(uid)s,
       so.create_date, so.create_date
  FROM sale_order so
 WHERE so.id BETWEEN %(first_id)s AND %(last_id)s AND so.state = 'sale'
"""


def _users(env, prefix, count, groups):
    return env["res.users"].create(
        [
            {
                "name": f"{prefix} {i:03d}",
                "login": f"{prefix}-{i}",
                "email": f"{prefix}-{i}@example.com",
                "groups_id": [Command.set(groups.ids)],
            }
            for i in range(count)
        ]
    )


def setup(env, n_reviewers):
    """Users, two rules whose reviewers are the 200 reviewers, customers, a product."""
    env.company.write({"sale_policy_enabled": True, "account_use_credit_limit": False})
    base = env.ref("base.group_user")
    manager = env.ref("sales_team.group_sale_manager")
    finance = env.ref("sale_order_policy.group_finance_reviewer")
    reviewers = _users(
        env(context=dict(env.context, no_reset_password=True)),
        "hist-rev",
        n_reviewers,
        base | manager | finance,
    )
    sales = _users(
        env(context=dict(env.context, no_reset_password=True)),
        "hist-sales",
        SALESPEOPLE,
        base | env.ref("sales_team.group_sale_salesman"),
    )
    env["sale.policy.rule"].search([]).active = False
    rules = env["sale.policy.rule"].create(
        [
            {
                "name": name,
                "sequence": sequence,
                "department": department,
                "company_id": env.company.id,
                "reviewer_type": "users",
                "reviewer_user_ids": [Command.set(reviewers.ids)],
            }
            for name, sequence, department in (
                ("History: sales head", 10, "sales"),
                ("History: finance", 20, "finance"),
            )
        ]
    )
    partners = env["res.partner"].create(
        [{"name": f"History customer {i}", "email": f"h{i}@example.com"} for i in range(200)]
    )
    product = env["product.product"].create(
        {"name": "History item", "type": "consu", "list_price": 100.0, "taxes_id": False}
    )
    return {
        "reviewers": reviewers,
        "sales": sales,
        "rules": rules,
        "partners": partners,
        "product": product,
    }
