"""Approval chain (审批链) benchmark.

1. The confirmation gate: Odoo's own `action_confirm` of a 10-line order (stocked
   products, `sale_stock`) on a database without this module (the reference database,
   created when missing), against `action_confirm` of the same order, approved, with the
   policy enabled (gate, audit log and the hand-off to the warehouse included). Target: at
   most 5 % and 5 queries more. The module installed with the policy disabled is shown too.
2. `action_submit_for_review` with every check and the shipped default chain, for 10 and
   100 lines. Target: median at most 150 ms and at most 60 queries, the same for both sizes.

Every run uses a fresh order; the scenarios alternate so that machine load hits them
alike; the first runs of each scenario (warm-up) are discarded. All data is rolled back.

    .venv/bin/python benchmarks/bench_approval.py -c .odoo.conf -d <db> [--reference-database <db>]
"""

from unittest.mock import patch

import benchlib

from odoo.addons.sale.models.sale_order import SaleOrder as SaleOrderCore

CONFIRM_LINES = 10
SUBMIT_SIZES = (10, 100)
# Same amount (210,000 before tax) for both sizes, so the same default rules apply:
# sales head, finance (>= 50,000) and general manager (>= 200,000).
ORDER_AMOUNT_UNITS = 100
# Odoo's own `action_confirm` of the 10-line order where the issue set its targets.
ISSUE_REFERENCE_MS = 240.0


def bench_confirm(odoo_world, world, runs, warmup):
    """The three alternate run by run, in a rotating order, so that machine load and
    periodic work (autovacuum, checkpoints) hit them alike; each confirms its own products,
    so that stock data grows alike."""
    plain = benchlib.Series("Odoo `action_confirm`, without this module", warmup)
    disabled = benchlib.Series("`action_confirm`, module installed, policy disabled", warmup)
    gated = benchlib.Series("`action_confirm` of the approved order, policy enabled", warmup)
    reviewed = benchlib.Series(
        "control: the same approved order confirmed with the policy disabled", warmup
    )
    quantity = ORDER_AMOUNT_UNITS // CONFIRM_LINES

    def run_plain():
        order = odoo_world.make_order(CONFIRM_LINES, quantity)
        plain.add(
            *benchlib.measure(odoo_world.env, order.with_user(odoo_world.salesman).action_confirm)
        )
        assert order.state == "sale", order.state
        # Not measured: the reference database confirms as many orders per round as the
        # other one (three), so that their stock moves and reservations grow alike.
        for first in (CONFIRM_LINES, 2 * CONFIRM_LINES):
            order = odoo_world.make_order(CONFIRM_LINES, quantity, first_product=first)
            order.with_user(odoo_world.salesman).action_confirm()

    def run_disabled():
        world.set_policy(False)
        order = world.make_order(CONFIRM_LINES, quantity)
        disabled.add(*benchlib.measure(world.env, order.with_user(world.salesman).action_confirm))
        assert order.state == "sale", order.state

    def run_gated():
        world.set_policy(True)
        order = world.make_order(CONFIRM_LINES, quantity, first_product=CONFIRM_LINES)
        order.with_user(world.salesman).action_submit_for_review()
        world.approve_all(order)
        gated.add(*benchlib.measure(world.env, order.with_user(world.salesman).action_confirm))
        assert order.state == "sale", order.state

    def run_reviewed():
        # The control: an order reviewed and approved like the gated one (reviewers
        # following it, its reviews, log and chatter), confirmed with the policy off.
        world.set_policy(True)
        order = world.make_order(CONFIRM_LINES, quantity, first_product=2 * CONFIRM_LINES)
        order.with_user(world.salesman).action_submit_for_review()
        world.approve_all(order)
        world.set_policy(False)
        reviewed.add(*benchlib.measure(world.env, order.with_user(world.salesman).action_confirm))
        assert order.state == "sale", order.state

    scenarios = [run_plain, run_disabled, run_gated, run_reviewed]
    for run in range(runs + warmup):
        shift = run % len(scenarios)
        for scenario in scenarios[shift:] + scenarios[:shift]:
            scenario()
    return plain, disabled, gated, reviewed


def bench_gate_code(world, runs, warmup):
    """What the policy adds to a confirmation, measured alone on approved orders: the
    gate (`_confirmation_error_message`), the audit log line and the trigger of the
    hand-off cron, against Odoo's own `_confirmation_error_message`."""
    env = world.env
    core = benchlib.Series("Odoo's `_confirmation_error_message` alone", warmup)
    gate = benchlib.Series(
        "the policy's part of `action_confirm` alone: gate, log line, hand-off trigger", warmup
    )
    core_method = SaleOrderCore._confirmation_error_message
    handoff_cron = env.ref("sale_order_policy.ir_cron_sale_policy_hand_off")
    world.set_policy(True)
    for _run in range(runs + warmup):
        order = world.make_order(CONFIRM_LINES, ORDER_AMOUNT_UNITS // CONFIRM_LINES)
        order.with_user(world.salesman).action_submit_for_review()
        world.approve_all(order)
        mine = order.with_user(world.salesman)
        core.add(*benchlib.measure(env, lambda mine=mine: core_method(mine)))

        def policy_part(mine=mine):
            assert not mine._confirmation_error_message()
            env["sale.policy.log"]._policy_add(mine, "confirm")
            handoff_cron._trigger()

        gate.add(*benchlib.measure(env, policy_part))
    return core, gate


def bench_submit(world, runs, warmup):
    """Submission of 10 and 100 lines with the shipped chain and every check."""
    env = world.env
    world.set_policy(True)
    series = {
        size: benchlib.Series(f"`action_submit_for_review`, {size} lines, every check", warmup)
        for size in SUBMIT_SIZES
    }
    steps = {}
    for _run in range(runs + warmup):
        for size in SUBMIT_SIZES:
            order = world.make_order(size, ORDER_AMOUNT_UNITS // size)
            series[size].add(
                *benchlib.measure(env, order.with_user(world.salesman).action_submit_for_review)
            )
            assert order.approval_state == "pending", order.approval_state
            steps[size] = (
                len(order.policy_check_ids),
                ", ".join(order.policy_review_ids.sorted("sequence").mapped("name")),
            )
    return series, steps


def submit_breakdown(world):
    """Queries of the parts of one 10-line submission, counted inside the call: the six
    checks, and the creation of the review activities (Odoo subscribes each reviewer as a
    follower; the assignment e-mail is sent by the notification cron after commit)."""
    env = world.env
    order_class = type(env["sale.order"])
    activity_class = type(env["mail.activity"])
    counts = {"_policy_run_checks": 0, "_policy_create_deferred": 0}

    def counting(cls, name):
        original = getattr(cls, name)

        def wrapper(self, *args, **kwargs):
            before = self.env.cr.sql_log_count
            try:
                return original(self, *args, **kwargs)
            finally:
                counts[name] += self.env.cr.sql_log_count - before

        return wrapper

    order = world.make_order(SUBMIT_SIZES[0], ORDER_AMOUNT_UNITS // SUBMIT_SIZES[0])
    with (
        patch.object(
            order_class, "_policy_run_checks", counting(order_class, "_policy_run_checks")
        ),
        patch.object(
            activity_class,
            "_policy_create_deferred",
            counting(activity_class, "_policy_create_deferred"),
        ),
    ):
        total = benchlib.measure(env, order.with_user(world.salesman).action_submit_for_review)
    return total[1], counts["_policy_run_checks"], counts["_policy_create_deferred"]


def row(series, target, result):
    return [
        series.label,
        len(series.times),
        benchlib.ms(series.median),
        benchlib.ms(series.cpu_median),
        benchlib.ms(min(series.times)),
        series.query_text(),
        target,
        result,
    ]


def main():
    args = benchlib.parse_args(__doc__.splitlines()[0], reference=True)
    benchlib.ensure_reference_database(args)
    for database in (args.database, args.reference_database):
        benchlib.dbtool.vacuum_analyze(args.config, database)
    with (
        benchlib.rolled_back_env(args) as env,
        benchlib.rolled_back_env(args, args.reference_database, "sale_stock") as odoo_env,
    ):
        header = benchlib.environment_line(env)
        world = benchlib.PolicyWorld(env, n_products=max(SUBMIT_SIZES))
        odoo_world = benchlib.OdooWorld(odoo_env, n_products=3 * CONFIRM_LINES)
        plain, disabled, gated, reviewed = bench_confirm(odoo_world, world, args.runs, args.warmup)
        core, gate = bench_gate_code(world, args.runs, args.warmup)
        submits, steps = bench_submit(world, args.runs, args.warmup)
        total_queries, check_queries, activity_queries = submit_breakdown(world)

    overhead_pct = (gated.median - plain.median) / plain.median * 100
    overhead_cpu = (gated.cpu_median - plain.cpu_median) / plain.cpu_median * 100
    extra_queries = gated.query_median - plain.query_median
    gate_ok = overhead_pct <= 5 and extra_queries <= 5
    disabled_pct = (disabled.median - plain.median) / plain.median * 100
    rows = [
        row(plain, "reference", ""),
        row(
            disabled,
            "",
            f"{disabled_pct:+.1f} % wall, "
            f"{disabled.query_median - plain.query_median:+g} queries",
        ),
        row(
            gated,
            "≤ +5 %, ≤ +5 queries",
            f"{overhead_pct:+.1f} % wall, {overhead_cpu:+.1f} % CPU, {extra_queries:+g} queries",
        ),
        row(
            reviewed,
            "",
            f"gate alone (enabled vs this control): "
            f"{(gated.median - reviewed.median) / reviewed.median * 100:+.1f} % wall, "
            f"{(gated.cpu_median - reviewed.cpu_median) / reviewed.cpu_median * 100:+.1f} % "
            f"CPU, {gated.query_median - reviewed.query_median:+g} queries",
        ),
    ]
    gate_ms = gate.median - core.median
    gate_queries = gate.query_median - core.query_median
    rows += [
        row(core, "", ""),
        row(
            gate,
            "",
            f"+{gate_ms:.1f} ms, {gate_queries:+g} queries = "
            f"{gate_ms / plain.median * 100:+.1f} % of Odoo's `action_confirm`",
        ),
    ]
    # The issue measured Odoo's own confirmation at about 240 ms: time targets in ms are
    # also read on that machine's scale, through Odoo's own time measured here.
    scale = ISSUE_REFERENCE_MS / plain.median
    for item in submits.values():
        queries_ok = item.query_median <= 60
        scaled = item.median * scale
        verdict = (
            "met"
            if queries_ok and item.median <= 150
            else f"{'queries met' if queries_ok else 'queries missed'}; time "
            f"{'met' if scaled <= 150 else 'missed'} at the issue's scale ({scaled:.0f} ms)"
        )
        rows.append(row(item, "≤ 150 ms, ≤ 60 queries", verdict))
    small, large = (submits[size] for size in SUBMIT_SIZES)
    same = small.queries == large.queries or small.query_median == large.query_median
    print("## Approval chain\n")
    print(header + "\n")
    print(benchlib.markdown_table(benchlib.HEADERS, rows))
    print()
    gate_pct = (gated.median - reviewed.median) / reviewed.median * 100
    print(
        f"- Against Odoo without the module: {'met' if gate_ok else 'missed'} "
        f"({overhead_pct:+.1f} % wall, CPU {overhead_cpu:+.1f} %, {extra_queries:+g} queries). "
        f"The gate alone, against the control (the same reviewed order confirmed with the "
        f"policy off): {gate_pct:+.1f} % wall, "
        f"{gated.query_median - reviewed.query_median:+g} queries (the audit log line and "
        f"the trigger of the hand-off cron); the rest is Odoo's own work on an order that "
        f"went through review (its reviewers follow it) and the run-to-run noise of this "
        f"machine."
    )
    print(
        f"- Submit queries, {SUBMIT_SIZES[0]} vs {SUBMIT_SIZES[1]} lines: "
        f"{small.query_text()} vs {large.query_text()} "
        f"({'the same' if same else 'different'})."
    )
    engine = total_queries - check_queries - activity_queries
    print(
        f"- Where the {total_queries} queries of a {SUBMIT_SIZES[0]}-line submission go: "
        f"the six checks {check_queries}, the review activities (with Odoo's follower "
        f"subscription of the reviewer) {activity_queries}, the approval engine and the "
        f"chatter (reviews, log, tracking note, cron trigger, flush) {engine:g}."
    )
    for size, (n_checks, chain) in steps.items():
        print(f"- {size} lines: {n_checks} checks stored, reviews created: {chain}.")
    print(
        f"- Odoo's own `action_confirm` takes {plain.median:.0f} ms here and about "
        f"{ISSUE_REFERENCE_MS:.0f} ms where the issue was measured: this machine is "
        f"{1 / scale:.2f}× slower; at the issue's scale the submissions take "
        f"{small.median * scale:.0f} ms ({SUBMIT_SIZES[0]} lines) and "
        f"{large.median * scale:.0f} ms ({SUBMIT_SIZES[1]} lines)."
    )
    print(
        f"- Median of {args.runs} fresh orders per scenario after {args.warmup} warm-up runs; "
        "wall time includes the flush and precommit hooks; the record cache is emptied "
        "before each call (like a new RPC request)."
    )


if __name__ == "__main__":
    main()
