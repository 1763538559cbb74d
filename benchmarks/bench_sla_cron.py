"""Benchmark of the review SLA cron (审核时限): 20,000 pending reviews, 5,000 breaching.

    .venv/bin/python benchmarks/bench_sla_cron.py -c .odoo.conf -d <db>

Seeds its data in the given database (module installed) inside a transaction that is
rolled back at the end, runs ``sale.policy.review._cron_check_sla()`` with several batch
sizes from the same starting point, and prints a markdown table: wall time and SQL
queries, which must grow with the number of batches, not with the number of reviews.
"""

import argparse
import math
import os
import time

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tools import SQL

PENDING = 20_000
BREACHING = 5_000
REMINDING = 3_000
ORDERS = 100
REVIEWERS = 5


def seed(env):
    """Orders through the ORM, the 20,000 reviews through one INSERT each table."""
    company = env.company
    company.write({"sale_policy_reminder_percent": 75.0})
    users = env["res.users"].create(
        [
            {
                "name": f"Bench Reviewer {index}",
                "login": f"bench_sla_reviewer_{index}",
                "tz": "Asia/Shanghai",
                "groups_id": [Command.set(env.ref("base.group_user").ids)],
            }
            for index in range(REVIEWERS + 2)
        ]
    )
    reviewers, escalation = users[:REVIEWERS], users[REVIEWERS:]
    rule = env["sale.policy.rule"].create(
        {
            "name": "Bench Finance Review",
            "company_id": company.id,
            "department": "finance",
            "reviewer_type": "users",
            "reviewer_user_ids": [Command.set(reviewers.ids)],
            "escalation_user_ids": [Command.set(escalation.ids)],
            "active": False,  # never applies to real orders of this database
        }
    )
    partner = env["res.partner"].create({"name": "Bench Customer"})
    product = env["product.product"].create({"name": "Bench Valve", "list_price": 10.0})
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
            for _index in range(ORDERS)
        ]
    )
    now = fields.Datetime.now()
    env.flush_all()
    # Breaching: past the deadline. Reminding: 20 h into a 24 h SLA. Others: 2 h in.
    env.cr.execute(
        SQL(
            """
            WITH series AS (
                SELECT n,
                       CASE WHEN n <= %(breaching)s THEN interval '24 hours 10 minutes'
                            WHEN n <= %(breaching)s + %(reminding)s THEN interval '20 hours'
                            ELSE interval '2 hours' END AS age
                  FROM generate_series(1, %(pending)s) n
            )
            INSERT INTO sale_policy_review (
                order_id, company_id, rule_id, department, applies_to, sequence,
                review_round, state, approval_mode, activated_on, sla_hours, deadline,
                reminder_due_on, sla_breached, currency_id, amount_total, res_model, res_id)
            SELECT order_id, %(company)s, %(rule)s,
                   'finance', 'order', 10, 1, 'pending', 'any',
                   %(now)s - age, 24, %(now)s - age + interval '24 hours',
                   %(now)s - age + interval '18 hours', FALSE, %(currency)s, 10,
                   'sale.order', order_id
              FROM (SELECT (%(orders)s::int[])[1 + mod(n, %(order_count)s)] AS order_id, age
                      FROM series) s
            RETURNING id
            """,
            breaching=BREACHING,
            reminding=REMINDING,
            pending=PENDING,
            orders=orders.ids,
            order_count=len(orders),
            company=company.id,
            rule=rule.id,
            now=now,
            currency=company.currency_id.id,
        )
    )
    review_ids = [row[0] for row in env.cr.fetchall()]
    env.cr.execute(
        SQL(
            "INSERT INTO sale_policy_review_reviewer_rel (review_id, user_id) "
            "SELECT review_id, (%s::int[])[1 + mod(review_id, %s)] "
            "FROM unnest(%s::int[]) review_id",
            reviewers.ids,
            len(reviewers),
            review_ids,
        )
    )
    env.cr.execute("ANALYZE sale_policy_review")
    env.invalidate_all()
    return review_ids


def run_cron(env, batch_size):
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start, cpu = time.perf_counter(), time.process_time()
    done = env["sale.policy.review"]._cron_check_sla(batch_size=batch_size)
    env.flush_all()
    return (
        done,
        time.perf_counter() - start,
        time.process_time() - cpu,
        env.cr.sql_log_count - queries,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--batch-sizes", default="250,500,1000")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    rows = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        start = time.perf_counter()
        seed(env)
        seed_time = time.perf_counter() - start
        due = BREACHING + REMINDING
        for batch_size in [int(size) for size in args.batch_sizes.split(",")]:
            cr.execute("SAVEPOINT bench_sla")
            done, *measures = run_cron(env, batch_size)
            rows.append(("first run", batch_size, done, math.ceil(due / batch_size), *measures))
            again, *measures = run_cron(env, batch_size)
            rows.append(("second run (nothing to do)", batch_size, again, 0, *measures))
            cr.execute("ROLLBACK TO SAVEPOINT bench_sla")
            env.invalidate_all()
        cr.rollback()
    print(
        f"Review SLA cron over {PENDING:,} pending reviews on {ORDERS} orders: "
        f"{BREACHING:,} breach and escalate (2 escalation users each), {REMINDING:,} get "
        f"their reminder, the rest are not due (seeded in {seed_time:.1f} s, rolled back).\n"
    )
    load = os.getloadavg()[0]
    print(
        "| run | batch size | reviews handled | batches | wall time (s) | Odoo CPU time (s) "
        "| queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for run, batch_size, done, batches, wall, cpu, queries in rows:
        print(
            f"| {run} | {batch_size} | {done:,} | {batches} | {wall:.1f} | {cpu:.1f} "
            f"| {queries:,} |"
        )
    print(f"\n{os.cpu_count()} CPU cores, load average {load:.1f} at the end of the run.")


if __name__ == "__main__":
    main()
