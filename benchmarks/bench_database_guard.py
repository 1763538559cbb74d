"""Database guard (issue #24) benchmark: what the deferred constraint triggers cost.

`action_confirm` of a 10-line order (stocked products, `sale_stock`), in one run:
Odoo without the module (reference database), the approved order with the policy on with
the guard (the triggers and the engine's pass) and without it (triggers disabled, pass not
written: the code before the guard), and the same two with the policy off. The triggers
are deferred to COMMIT, and every run is rolled back: `SET CONSTRAINTS ALL IMMEDIATE` makes
them fire at the end of the measured call, so their cost is counted. Target: the policy's
confirmation with the guard within +5 % of Odoo's.

    .venv/bin/python benchmarks/bench_database_guard.py -c .odoo.conf -d <db> \
        [--reference-database <db>]
"""

import statistics
import time
from unittest.mock import patch

import benchlib

CONFIRM_LINES = 10
QUANTITY = 10


def set_guard(env, enabled):
    # Imported once Odoo's configuration (addons path) is read.
    from odoo.addons.sale_order_policy.tools import database_guard

    action = "ENABLE" if enabled else "DISABLE"
    fire_deferred(env)
    for table, names in database_guard.TRIGGERS.items():
        for name in names:
            env.cr.execute(f"ALTER TABLE {table} {action} TRIGGER {name}")


def fire_deferred(env):
    """Fire the pending deferred triggers, as COMMIT would; returns the time (ms) of
    that statement alone: the trigger functions at work."""
    env.flush_all()
    env.cr.flush()
    start = time.perf_counter()
    env.cr.execute("SET CONSTRAINTS ALL IMMEDIATE")
    elapsed = (time.perf_counter() - start) * 1000
    env.cr.execute("SET CONSTRAINTS ALL DEFERRED")
    return elapsed


def committed(env, func, fired=None):
    """`func`, then the deferred triggers fired as at COMMIT (the run is rolled back)."""

    def call():
        func()
        elapsed = fire_deferred(env)
        if fired is not None:
            fired.append(elapsed)

    return call


def bench(odoo_world, world, runs, warmup):
    env = world.env
    series = {
        "plain": benchlib.Series("Odoo `action_confirm`, without this module", warmup),
        "on_guard": benchlib.Series("policy on, approved order, with the guard", warmup),
        "on_bare": benchlib.Series("policy on, approved order, without the guard", warmup),
        "off_guard": benchlib.Series("policy off, with the guard", warmup),
        "off_bare": benchlib.Series("policy off, without the guard", warmup),
    }
    order_class = type(env["sale.order"])
    fired = {key: [] for key in series}

    def run_plain():
        order = odoo_world.make_order(CONFIRM_LINES, QUANTITY)
        series["plain"].add(
            *benchlib.measure(
                odoo_world.env,
                committed(
                    odoo_world.env,
                    order.with_user(odoo_world.salesman).action_confirm,
                    fired["plain"],
                ),
            )
        )
        assert order.state == "sale", order.state

    def run_policy(key, policy, guard):
        world.set_policy(True)
        order = world.make_order(CONFIRM_LINES, QUANTITY)
        if policy:
            order.with_user(world.salesman).action_submit_for_review()
            world.approve_all(order)
        else:
            world.set_policy(False)
        set_guard(env, guard)
        env.flush_all()
        with patch.object(
            order_class,
            "_policy_record_gate_pass",
            order_class._policy_record_gate_pass if guard else lambda self, kind: None,
        ):
            confirm = order.with_user(world.salesman).action_confirm
            series[key].add(*benchlib.measure(env, committed(env, confirm, fired[key])))
        assert order.state == "sale", order.state
        set_guard(env, True)

    scenarios = [
        run_plain,
        lambda: run_policy("on_guard", True, True),
        lambda: run_policy("on_bare", True, False),
        lambda: run_policy("off_guard", False, True),
        lambda: run_policy("off_bare", False, False),
    ]
    for run in range(runs + warmup):
        shift = run % len(scenarios)
        for scenario in scenarios[shift:] + scenarios[:shift]:
            scenario()
    return series, {key: statistics.median(times[warmup:]) for key, times in fired.items()}


def main():
    args = benchlib.parse_args(__doc__.splitlines()[0], reference=True)
    benchlib.ensure_reference_database(args)
    with (
        benchlib.rolled_back_env(args) as env,
        benchlib.rolled_back_env(args, args.reference_database, "sale_stock") as odoo_env,
    ):
        header = benchlib.environment_line(env)
        world = benchlib.PolicyWorld(env, n_products=CONFIRM_LINES)
        odoo_world = benchlib.OdooWorld(odoo_env, n_products=CONFIRM_LINES)
        series, fired = bench(odoo_world, world, args.runs, args.warmup)
    plain = series["plain"]

    def versus(item, base):
        return (
            f"{(item.median - base.median) / base.median * 100:+.1f} % wall, "
            f"{(item.cpu_median - base.cpu_median) / base.cpu_median * 100:+.1f} % CPU, "
            f"{item.query_median - base.query_median:+g} queries vs {base.label}"
        )

    rows = [
        [s.label, len(s.times), benchlib.ms(s.median), benchlib.ms(s.cpu_median),
         benchlib.ms(min(s.times)), s.query_text(), result]
        for s, result in (
            (plain, "reference"),
            (series["on_guard"], versus(series["on_guard"], plain)),
            (series["on_bare"], versus(series["on_bare"], plain)),
            (series["on_guard"], versus(series["on_guard"], series["on_bare"])),
            (series["off_guard"], versus(series["off_guard"], plain)),
            (series["off_bare"], versus(series["off_bare"], plain)),
            (series["off_guard"], versus(series["off_guard"], series["off_bare"])),
        )
    ]  # fmt: skip
    print("## Database guard: `action_confirm` with and without the triggers\n")
    print(header + "\n")
    headers = ["scenario", "runs", "median ms", "CPU ms", "min ms", "queries", "result"]
    print(benchlib.markdown_table(headers, rows))
    print(
        "\nThe deferred triggers at work (median of `SET CONSTRAINTS ALL IMMEDIATE` at the "
        "end of each call, ms): "
        + ", ".join(f"{series[key].label}: {value:.2f}" for key, value in fired.items())
    )


if __name__ == "__main__":
    main()
