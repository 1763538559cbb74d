"""Where an order's CPU goes: Odoo's create + confirm against the module's whole cycle
(create, submit, approvals, confirm, and the crons' deferred notifications and hand-off),
step by step, in one process (no HTTP), with cProfile's top functions per step.

    .venv/bin/python benchmarks/profile_flow.py -c .odoo.conf -d <db with the module>
        [--reference-database <db without it>] [--runs 10] [--profile]

Everything is rolled back. Complements `load_rpc.py`, whose CPU per order includes the
HTTP layer; this one says which step of the cycle costs what.
"""

import cProfile
import io
import pstats
import statistics
import sys

import benchlib


def cycle_steps(world, policy):
    """[(step, func)] of one order's life; the order is made by the first step."""
    env, state = world.env, {}

    def create():
        state["order"] = world.make_order(1, 1 + len(state) % 5)

    steps = [("create", create)]
    if policy:
        steps.append(
            ("submit", lambda: state["order"].with_user(world.salesman).action_submit_for_review())
        )
        steps.append(("approvals", lambda: world.approve_all(state["order"])))
    steps.append(("confirm", lambda: state["order"].with_user(world.salesman).action_confirm()))
    if policy:
        Activity = env["mail.activity"]
        steps.append(("notify cron", lambda: Activity._cron_policy_notify()))
        steps.append(("hand-off cron", lambda: env["sale.order"]._cron_policy_hand_off()))
    return steps


def run_cycles(env, world, policy, runs, profile):
    """{step: [cpu ms]}, {step: [queries]}, {step: pstats text}"""
    cpu, queries, profiles = {}, {}, {}
    profilers = {}
    for index in range(runs + 2):
        for step, func in cycle_steps(world, policy):
            profiler = profilers.setdefault(step, cProfile.Profile()) if profile else None
            if profiler and index >= 2:
                profiler.enable()
            _elapsed, count, used = benchlib.measure(env, func)
            if profiler and index >= 2:
                profiler.disable()
            if index >= 2:  # two warm-up cycles
                cpu.setdefault(step, []).append(used)
                queries.setdefault(step, []).append(count)
    for step, profiler in profilers.items():
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
            "sale_order_policy|addons/(mail|sale|stock)/", 15
        )
        profiles[step] = out.getvalue()
    return cpu, queries, profiles


def main():
    profile = "--profile" in sys.argv
    if profile:
        sys.argv.remove("--profile")
    parser_args = benchlib.parse_args(__doc__.splitlines()[0], runs=10, reference=True)
    benchlib.ensure_reference_database(parser_args)
    rows, texts = [], []
    for label, database, world_class, policy in (
        ("Odoo alone", parser_args.reference_database, benchlib.OdooWorld, False),
        ("module", parser_args.database, benchlib.PolicyWorld, True),
    ):
        module = "sale_order_policy" if policy else "sale_stock"
        with benchlib.rolled_back_env(parser_args, database, module=module) as env:
            world = world_class(env, n_products=5)
            cpu, queries, profiles = run_cycles(env, world, policy, parser_args.runs, profile)
            total = 0.0
            for step, values in cpu.items():
                total += statistics.median(values)
                rows.append(
                    (
                        label,
                        step,
                        f"{statistics.median(values):.1f}",
                        int(statistics.median(queries[step])),
                    )
                )
            rows.append((label, "**total**", f"**{total:.1f}**", ""))
            texts += [f"### {label}: {step}\n\n```\n{text}```" for step, text in profiles.items()]
    print(benchlib.markdown_table(["setup", "step", "CPU ms (median)", "queries"], rows))
    print("\n\n".join(texts))


if __name__ == "__main__":
    main()
