"""Load test over JSON-RPC, side by side with Odoo.

`--topology single` (default): for each client count of `--loads` (10: latency, 50:
throughput), back to back on the same machine,
  (a) Odoo without the module (sale_management + sale_stock): create + confirm;
  (b) the module with its shipped chain (the team leader's review; finance from 50,000,
      for 20 % of the orders): create + submit + the reviewers' approvals + confirm.
Each setup runs on a fresh copy of its template database, behind one prefork server
(`--workers`) whose cron worker runs the deferred work (notifications, hand-offs), which
is drained before the CPU is read. Per call type: p50 / p95 / max; per setup: orders/s and
server CPU per confirmed order (Odoo processes + PostgreSQL backends, from /proc).
Report: benchmarks/results/load_side_by_side.md.

`--topology multi`: two HTTP instances (2 workers each, no cron) and a cron-only instance
on one database, with crashes (kill -9 of an HTTP worker and of the cron instance in the
middle of an SLA batch), then the invariants checked in the database (see load_multi.py).
Report: benchmarks/results/load_multi.md.

    .venv/bin/python benchmarks/load_rpc.py -c .odoo.conf                 # full run
    .venv/bin/python benchmarks/load_rpc.py -c .odoo.conf --quick         # 2-minute check
    .venv/bin/python benchmarks/load_rpc.py -c .odoo.conf --topology multi

Databases: templates `sop_load_tpl_odoo` / `sop_load_tpl_policy` (built when missing,
dropped at the end unless --keep-templates) and one `sop_load_<setup>_<n>` copy per run.
"""

import argparse
import random
import threading
import time
from pathlib import Path

import load_multi
import loadlib
from load_flow import Client, setup_common, setup_policy
from loadlib import Rpc, Server, Stats

RESULTS = loadlib.ROOT / "benchmarks" / "results"
TEMPLATES = {
    "odoo": ("sop_load_tpl_odoo", ("sale_management", "sale_stock")),
    "policy": ("sop_load_tpl_policy", ("sale_order_policy",)),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(loadlib.ROOT / ".odoo.conf"))
    parser.add_argument("--topology", choices=("single", "multi"), default="single")
    parser.add_argument("--loads", default="10,50", help="client counts, comma-separated")
    parser.add_argument("--duration", type=float, default=90, help="measured seconds per run")
    parser.add_argument("--orders", type=int, default=5000, help="order budget per run")
    parser.add_argument("--workers", type=int, default=4, help="prefork workers (single)")
    parser.add_argument("--port", type=int, default=8371, help="first port (up to +18)")
    parser.add_argument("--sales", type=int, default=10, help="salespeople")
    parser.add_argument("--heads", type=int, default=3, help="sales heads (one team each)")
    parser.add_argument("--setups", default="odoo,policy")
    parser.add_argument("--keep-templates", action="store_true")
    parser.add_argument("--quick", action="store_true", help="--loads 4,10 --duration 20")
    parser.add_argument("--park-share", type=float, default=0.25, help="multi: left pending")
    parser.add_argument("--sla-batch", type=int, default=5, help="multi: SLA cron batch")
    parser.add_argument("--no-crash", action="store_true", help="multi: no kill -9")
    args = parser.parse_args()
    args.config = str(Path(args.config).resolve())
    if args.quick:
        args.loads, args.duration = "4,10", 20
    args.loads = [int(n) for n in args.loads.split(",")]
    return args


def run_clients(urls, db, ctx, stats, n_clients, args, flow=None, on_start=None):
    """Warm every client up with one unmeasured order, then run until the time or the
    order budget is spent. Returns the measured wall time."""
    flow = flow or {}
    budget = {"left": args.orders, "lock": threading.Lock()}
    warm = Stats()
    barrier = threading.Barrier(n_clients + 1)
    clients = [None] * n_clients

    def take():
        with budget["lock"]:
            budget["left"] -= 1
            return budget["left"] >= 0

    def body(i):
        rng = random.Random(i)
        try:
            clients[i] = Client(urls[i % len(urls)], db, ctx, warm, rng, ctx["partners"][i], i)
            clients[i].run_order(0)
        except Exception as error:  # noqa: BLE001 - reported, and the run goes on
            warm.count(f"warm-up: {type(error).__name__}: {str(error)[:100]}", error=True)
        barrier.wait()
        barrier.wait()  # the meter starts between the two
        if clients[i] is None:
            return
        clients[i].stats = stats
        number, end = 1, time.monotonic() + args.duration
        while time.monotonic() < end and take():
            park = flow.get("park_share", 0) > rng.random()
            try:
                clients[i].run_order(number, flow.get("race", 0), flow.get("premature", 0), park)
            except Exception as error:  # noqa: BLE001 - every failure is reported
                stats.count(f"{type(error).__name__}: {str(error)[:120]}", error=True)
            number += 1

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(n_clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    stats.errors.update(warm.errors)
    stats.events["warm-up approvals"] = warm.events["approvals"]
    if on_start:
        on_start()
    stats.events["start"] = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    return time.perf_counter() - stats.events.pop("start")


def start_admin(args, db, kind, n_clients, port):
    server = Server(
        args.config,
        db,
        f"{kind}_{n_clients}",
        [
            f"--workers={args.workers}",
            f"--http-port={port}",
            f"--gevent-port={port + 10}",
            "--max-cron-threads=1",
            "--limit-time-real=600",
            "--limit-time-cpu=600",
            "--limit-memory-soft=2147483648",
            "--limit-memory-hard=4294967296",
        ],
    ).start()
    server.wait_http(port)
    admin = Rpc(f"http://127.0.0.1:{port}", db, "admin", "admin")
    ctx = setup_common(admin, n_clients, args.sales)
    if kind == "policy":
        setup_policy(admin, ctx, args.heads)
    return server, ctx


def measure_setup(args, kind, n_clients):
    """One setup at one load, on a fresh copy of its template."""
    db = f"sop_load_{kind}_{n_clients}"
    loadlib.copy_database(args.config, TEMPLATES[kind][0], db)
    port = args.port + 1
    stats = Stats()
    try:
        server, ctx = start_admin(args, db, kind, n_clients, port)
        meter = loadlib.CpuMeter(db, lambda: [server.pid])
        url = f"http://127.0.0.1:{port}"
        elapsed = run_clients([url], db, ctx, stats, n_clients, args, on_start=meter.start)
        drained = kind != "policy" or load_multi.drain(args.config, db)
        cpu = meter.stop()
        unapproved = 0
        if kind == "policy":
            ((unapproved,),) = loadlib.query(
                args.config,
                db,
                "SELECT count(*) FROM sale_order WHERE state = 'sale' "
                "AND approval_state != 'approved'",
            )
        server.stop()
    finally:
        Server.stop_all()
        loadlib.drop_database(args.config, db)
    return {
        "kind": kind,
        "clients": n_clients,
        "elapsed": elapsed,
        "confirmed": stats.events["confirmed"],
        "cpu": cpu,
        "stats": stats,
        "drained": drained,
        "unapproved": unapproved,
    }


def _p95(result, call):
    return loadlib.summary(result["stats"].latencies.get(call, []))[2]


def _cpu_per_order(result):
    return sum(result["cpu"].values()) / max(result["confirmed"], 1) * 1000


def targets_rows(odoo, policy):
    """(target, measured, limit, verdict) rows of one load."""
    base = _p95(odoo, "confirm")
    rows = [
        ("confirm p95 ≤ 1.10 × Odoo's confirm p95", _p95(policy, "confirm") / base, 1.10),
        ("submit p95 ≤ Odoo's confirm p95", _p95(policy, "submit") / base, 1.0),
        ("approve p95 ≤ 0.5 × Odoo's confirm p95", _p95(policy, "approve") / base, 0.5),
        (
            "CPU per order, whole review ≤ 1.5 × Odoo's create + confirm",
            _cpu_per_order(policy) / _cpu_per_order(odoo),
            1.5,
        ),
    ]
    return [
        (name, f"{ratio:.2f}", f"{limit:.2f}", "✔" if ratio <= limit else "✘")
        for name, ratio, limit in rows
    ]


def load_section(results):
    """Markdown of one client count: latencies, throughput and CPU, targets."""
    n_clients = results[0]["clients"]
    latency_rows, setup_rows = [], []
    for result in results:
        for call, values in sorted(result["stats"].latencies.items()):
            count, p50, p95, top = loadlib.summary(values)
            latency_rows.append(
                (result["kind"], call, count, f"{p50:.0f}", f"{p95:.0f}", f"{top:.0f}")
            )
        cpu = result["cpu"]
        setup_rows.append(
            (
                result["kind"],
                result["confirmed"],
                f"{result['elapsed']:.1f}",
                f"{result['confirmed'] / result['elapsed']:.2f}",
                f"{cpu['odoo']:.1f} + {cpu['postgres']:.1f}",
                f"{_cpu_per_order(result):.0f}",
                sum(result["stats"].errors.values()) or "0",
                "yes" if result["drained"] else "NO",
            )
        )
    lines = [f"## {n_clients} clients", ""]
    lines.append(
        loadlib.markdown_table(
            ["setup", "call", "count", "p50 ms", "p95 ms", "max ms"], latency_rows
        )
    )
    lines += [
        "",
        loadlib.markdown_table(
            [
                "setup",
                "orders confirmed",
                "wall s",
                "orders/s",
                "CPU s (Odoo + PostgreSQL)",
                "CPU ms / order",
                "errors",
                "crons drained",
            ],
            setup_rows,
        ),
    ]
    by_kind = {result["kind"]: result for result in results}
    if {"odoo", "policy"} <= by_kind.keys():
        lines += [
            "",
            loadlib.markdown_table(
                ["target", "ratio", "limit", ""], targets_rows(by_kind["odoo"], by_kind["policy"])
            ),
        ]
    for result in results:
        if result["stats"].errors or result["stats"].events:
            events = {k: v for k, v in result["stats"].events.items() if k != "confirmed"}
            lines.append(f"\n- {result['kind']}: errors {dict(result['stats'].errors)}; {events}")
        if result["unapproved"]:
            lines.append(f"- {result['kind']}: {result['unapproved']} confirmed without approval")
    return "\n".join(lines)


def run_single(args):
    kinds = args.setups.split(",")
    for kind in kinds:
        loadlib.ensure_template(args.config, *TEMPLATES[kind])
    header = [
        "# Load side by side: Odoo alone vs the module's review chain",
        "",
        f"- start: {loadlib.machine_line()}",
        f"- one prefork server, --workers={args.workers}, one cron worker; "
        f"{args.duration:.0f} s measured per run after a one-order warm-up per client; "
        f"{args.sales} salespeople in {args.heads} teams (the shipped chain: the team "
        "leader's step, then finance from 50,000 or when its credit, price or payment-term "
        "check flags the order; 20 % of the orders are from 50,000; two finance reviewers; "
        "the steps each order went through are counted below); one 1-line order of a "
        "consumable (a delivery) per cycle, one "
        "customer per client; web-client sessions (`/web/dataset/call_kw`)",
        "- CPU: utime + stime of the server's process tree and of the database's "
        "PostgreSQL backends, including the crons' deferred work (drained before reading)",
        "",
    ]
    sections = []
    for n_clients in args.loads:
        results = [measure_setup(args, kind, n_clients) for kind in kinds]
        sections.append(load_section(results))
        print(sections[-1], flush=True)
    footer = ["", f"- end: {loadlib.machine_line()}"]
    report = "\n".join(header + ["\n\n".join(sections)] + footer) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "load_side_by_side.md").write_text(report)
    print(report)


def main():
    args = parse_args()
    loadlib.install_cleanup()
    try:
        if args.topology == "multi":
            ok = load_multi.run_multi(args)
        else:
            run_single(args)
            ok = True
    finally:
        Server.stop_all()
        if not args.keep_templates:
            for template, _modules in TEMPLATES.values():
                loadlib.drop_database(args.config, template)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
