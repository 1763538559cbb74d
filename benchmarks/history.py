"""Years of history: the screens and the SLA cron on 1,000,000 orders' worth of policy data.

    .venv/bin/python benchmarks/history.py -c .odoo.conf [--orders 1000000] [--keep]

In a dedicated database (`sop_hist_<orders>`, a copy of `sop_load_tpl_policy`, dropped at
the end unless --keep), it sets up 200 reviewers, 40 salespeople, two review steps and one
live order with 5 review rounds, then measures, as the users of each screen:

- My Reviews' default search of one reviewer (the action's domain and its default filter
  "To Decide by Me", `web_search_read` with the list view's fields, 80 rows + count);
- the order form's `web_read` of the order with 5 rounds (the form view's fields);
- the KPI pivot of one month (`read_group` on `sale.policy.kpi.report`, salesperson);
- the SLA cron with nothing to do.

Then it inserts the history by SQL (per order: 2 review steps per round, 2 reviewers per
step, 6 checks, a submit line per round, a line per decision, a confirm line; 5 % of the
orders went through two rounds; the newest 0.1 % wait for their sales head), runs VACUUM
ANALYZE and measures again. EXPLAIN ANALYZE of My Reviews' query goes into the report.
Report: benchmarks/results/history.md.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path
from unittest.mock import patch

import history_seed as seed
import loadlib

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

TEMPLATE = ("sop_load_tpl_policy", ("sale_order_policy",))
WEB_CONTEXT = {"lang": "en_US", "tz": "Asia/Shanghai"}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(loadlib.ROOT / ".odoo.conf"))
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--reviewers", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--keep-template", action="store_true")
    args = parser.parse_args()
    args.config = str(Path(args.config).resolve())
    args.database = f"sop_hist_{args.orders}"
    return args


def timed(func, runs, warmup=3):
    """Median and max wall milliseconds of `func()` over `runs` runs after a warm-up."""
    times = []
    for index in range(warmup + runs):
        start = time.perf_counter()
        func()
        if index >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def view_spec(env, model, view_type):
    """The specification the web client sends for a view: its fields, relational ones with
    their display name and, for x2many, the fields of their own subview."""
    views = env[model].get_views([(False, view_type)])
    models = {name: info["fields"] for name, info in views["models"].items()}

    def spec(model_name, depth):
        result = {}
        for fname, desc in models[model_name].items():
            if desc["type"] in ("many2one", "many2many") or (desc["type"] == "one2many" and depth):
                result[fname] = {"fields": {"display_name": {}}}
            elif desc["type"] == "one2many" and desc["relation"] in models:
                result[fname] = {"fields": spec(desc["relation"], depth + 1)}
            elif desc["type"] not in ("one2many", "properties"):
                result[fname] = {}
        return result

    return spec(model, 0)


def my_reviews_domain(user):
    action = [
        "|",
        "|",
        ("reviewer_user_ids", "in", [user.id]),
        ("decided_by_id", "=", user.id),
        ("escalation_user_ids", "in", [user.id]),
    ]
    return [*action, ("state", "=", "pending"), ("reviewer_user_ids", "in", [user.id])]


def live_order(env, data):
    """A real order (lines, delivery address) whose policy history has 5 rounds."""
    order = env["sale.order"].create(
        {
            "partner_id": data["partners"][0].id,
            "user_id": data["sales"][0].id,
            "order_line": [
                (0, 0, {"product_id": data["product"].id, "product_uom_qty": 2, "price_unit": 100})
            ],
        }
    )
    env.flush_all()
    env.cr.execute(
        "UPDATE sale_order SET policy_round = 5, approval_state = 'pending', "
        "policy_submitted_on = now() AT TIME ZONE 'UTC' WHERE id = %s",
        (order.id,),
    )
    insert_history(env, data, order.id, order.id)
    env.invalidate_all()
    return order


def seed_params(env, data):
    return {
        "company": env.company.id,
        "currency": env.company.currency_id.id,
        "pricelist": env["product.pricelist"].search([], limit=1).id or None,
        "sales": data["sales"].ids,
        "n_sales": len(data["sales"]),
        "partners": data["partners"].ids,
        "n_partners": len(data["partners"]),
        "reviewers": data["reviewers"].ids,
        "n_reviewers": len(data["reviewers"]),
        "head_rule": data["rules"][0].id,
        "finance_rule": data["rules"][1].id,
        "uid": env.uid,
    }


def insert_history(env, data, first_id, last_id):
    params = dict(seed_params(env, data), first_id=first_id, last_id=last_id)
    for statement in (seed.REVIEWS_SQL, seed.REVIEWERS_SQL, seed.CHECKS_SQL, seed.LOGS_SQL):
        env.cr.execute(statement, params)


def insert_orders(env, data, total):
    """`total` orders over the past years by chunks, each committed with its history."""
    pending = max(total // 1000, 1)
    span = seed.YEARS * 365 * 86400
    params = dict(seed_params(env, data), total=total, pending=pending, span=span)
    start = time.perf_counter()
    for first in range(1, total + 1, seed.CHUNK):
        last = min(first + seed.CHUNK - 1, total)
        env.cr.execute("SELECT coalesce(max(id), 0) FROM sale_order")
        (before,) = env.cr.fetchone()
        env.cr.execute(seed.ORDERS_SQL, dict(params, first=first, last=last))
        env.cr.execute("SELECT max(id) FROM sale_order")
        insert_history(env, data, before + 1, env.cr.fetchone()[0])
        env.cr.commit()
        print(f"  {last:,} orders ({time.perf_counter() - start:.0f} s)", flush=True)
    return time.perf_counter() - start


def measure(env, data, order, runs):
    """{screen: (median ms, max ms)}, each as the user of the screen."""
    reviewer = reviewer_of(order)
    Review = env["sale.policy.review"].with_user(reviewer).with_context(WEB_CONTEXT)
    review_spec = view_spec(Review.env, "sale.policy.review", "list")
    Order = env["sale.order"].with_user(data["sales"][0]).with_context(WEB_CONTEXT)
    order_spec = view_spec(Order.env, "sale.order", "form")
    manager = env.ref("base.user_admin")
    Kpi = env["sale.policy.kpi.report"].with_user(manager).with_context(WEB_CONTEXT)
    month = env.cr.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_domain = [
        (
            "date_order",
            ">=",
            month.replace(month=1) if month.month == 1 else month.replace(month=month.month - 1),
        ),
        ("date_order", "<", month),
    ]
    Cron = env["sale.policy.review"].sudo()

    def fresh(func):
        def run():
            env.invalidate_all()
            func()
            env.cr.rollback()

        return run

    return {
        "My Reviews (web_search_read, 80 rows)": timed(
            fresh(
                lambda: Review.web_search_read(my_reviews_domain(reviewer), review_spec, limit=80)
            ),
            runs,
        ),
        "order form, 5 rounds (web_read)": timed(
            fresh(lambda: Order.browse(order.id).web_read(order_spec)), runs
        ),
        "KPI pivot, one month (read_group by salesperson)": timed(
            fresh(
                lambda: Kpi.read_group(
                    month_domain,
                    ["order_count", "amount_total:sum", "review_hours:avg"],
                    ["user_id"],
                    lazy=False,
                )
            ),
            runs,
        ),
        "SLA cron, nothing to do": timed(fresh(lambda: Cron._cron_check_sla()), runs),
    }


def reviewer_of(order):
    """A reviewer with work: one of the live order's open step."""
    pending = order.policy_review_ids.filtered(lambda review: review.state == "pending")
    return pending.reviewer_user_ids[:1]


def explain(env, order):
    """EXPLAIN ANALYZE of My Reviews' search query, as the reviewer."""
    reviewer = reviewer_of(order)
    Review = env["sale.policy.review"].with_user(reviewer)
    query = Review._search(my_reviews_domain(reviewer), limit=80)
    env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query.select()))
    plan = "\n".join(row[0] for row in env.cr.fetchall())
    env.cr.rollback()
    return plan


def explain_slowest(env, func):
    """EXPLAIN ANALYZE of the slowest query `func()` runs."""
    timings = []
    execute = odoo.sql_db.Cursor.execute

    def timed_execute(cr, query, params=None, log_exceptions=True):
        start = time.perf_counter()
        try:
            return execute(cr, query, params, log_exceptions)
        finally:
            timings.append((time.perf_counter() - start, query, params))

    env.invalidate_all()
    with patch.object(odoo.sql_db.Cursor, "execute", timed_execute):
        func()
    env.cr.rollback()
    _elapsed, query, params = max(timings, key=lambda timing: timing[0])
    if isinstance(query, SQL):
        query, params = query.code, query.params
    env.cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + query, params)
    plan = "\n".join(row[0] for row in env.cr.fetchall())
    env.cr.rollback()
    return f"{env.cr.mogrify(query, params).decode()}\n\n{plan}"


def explain_form(env, order):
    user = order.user_id
    Order = env["sale.order"].with_user(user).with_context(WEB_CONTEXT)
    spec = view_spec(Order.env, "sale.order", "form")
    return explain_slowest(env, lambda: Order.browse(order.id).web_read(spec))


def open_env(args):
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = Registry(args.database)
    cr = registry.cursor()
    return api.Environment(cr, SUPERUSER_ID, {})


def report(args, before, after, seconds, plans, sizes):
    rows = []
    targets = {
        "My Reviews (web_search_read, 80 rows)": lambda a, b: (a[0] < 100, "< 100 ms"),
        "order form, 5 rounds (web_read)": lambda a, b: (a[0] <= 1.2 * b[0], "≤ 1.2 × empty"),
        "SLA cron, nothing to do": lambda a, b: (a[0] < 1000, "< 1 s"),
    }
    for name, empty in before.items():
        full = after[name]
        verdict = targets.get(name, lambda a, b: (True, "-"))(full, empty)
        rows.append(
            (
                name,
                f"{empty[0]:.1f}",
                f"{full[0]:.1f} (max {full[1]:.0f})",
                f"{full[0] / empty[0]:.2f}",
                verdict[1],
                "✔" if verdict[0] else "✘",
            )
        )
    lines = [
        f"# Years of history: {args.orders:,} orders",
        "",
        f"- {loadlib.machine_line()}; history inserted in {seconds:.0f} s",
        "- rows: " + ", ".join(f"{table} {count:,}" for table, count in sizes),
        f"- medians of {args.runs} runs after 3 warm-up runs, the record cache emptied "
        "before each run",
        "",
        loadlib.markdown_table(
            ["screen", "empty ms", "with history ms", "ratio", "target", ""], rows
        ),
        "",
        "## EXPLAIN ANALYZE, My Reviews' search, with history",
        "",
        "```",
        plans[0],
        "```",
        "",
        "## EXPLAIN ANALYZE, the slowest query of the order form's read, with history",
        "",
        "```",
        plans[1],
        "```",
    ]
    return "\n".join(lines) + "\n"


def table_sizes(env):
    sizes = []
    for table in (
        "sale_order",
        "sale_policy_review",
        "sale_policy_review_reviewer_rel",
        "sale_policy_check",
        "sale_policy_log",
    ):
        env.cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
        sizes.append((table, env.cr.fetchone()[0]))
    return sizes


def main():
    args = parse_args()
    loadlib.ensure_template(args.config, *TEMPLATE)
    loadlib.copy_database(args.config, TEMPLATE[0], args.database)
    try:
        env = open_env(args)
        with env.cr:
            data = seed.setup(env, args.reviewers)
            order = live_order(env, data)
            env.cr.commit()
            dbtool_vacuum(args)
            before = measure(env, data, order, args.runs)
            print("empty:", before, flush=True)
            seconds = insert_orders(env, data, args.orders)
            dbtool_vacuum(args)
            after = measure(env, data, order, args.runs)
            print("history:", after, flush=True)
            plans = (explain(env, order), explain_form(env, order))
            text = report(args, before, after, seconds, plans, table_sizes(env))
    finally:
        odoo.sql_db.close_all()
        if not args.keep:
            loadlib.drop_database(args.config, args.database)
        if not args.keep_template:
            loadlib.drop_database(args.config, TEMPLATE[0])
    (loadlib.ROOT / "benchmarks" / "results" / "history.md").write_text(text)
    print(text)


def dbtool_vacuum(args):
    loadlib.dbtool.vacuum_analyze(args.config, args.database)


if __name__ == "__main__":
    sys.exit(main())
