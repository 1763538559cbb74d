"""Load test: Odoo with --workers=4, 50 concurrent JSON-RPC clients.

The clients create, submit, approve and confirm orders in a mixed workload (premature
confirmations, duplicate approvals of one step) while the policy crons run. It reports
throughput, p50/p95 latency and errors, then checks the database: no lost decision, no
order confirmed without approval.

    .venv/bin/python benchmarks/load_rpc.py -c .odoo.conf [--orders 2000 --clients 50]
"""

import argparse
import configparser
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict

import psycopg2
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Rpc:
    def __init__(self, url, db, login, password):
        self.url, self.db, self.password = url, db, password
        self.session = requests.Session()
        for attempt in range(6):
            try:  # logging in twice is harmless, so any connection failure is retried
                self.uid = self._call("common", "login", db, login, password)
                break
            except requests.ConnectionError:
                Rpc.connect_retries += 1
                time.sleep(0.5 * 2**attempt)
        else:
            raise RpcError(f"{login} could not log in")

    connect_retries = 0

    def _call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"service": service, "method": method, "args": list(args)},
        }
        for attempt in range(6):
            try:
                response = self.session.post(
                    f"{self.url}/jsonrpc", json=payload, timeout=(10, 300)
                ).json()
                break
            except requests.ConnectTimeout:
                # Never sent (the prefork server's listen backlog, 8 x workers, was full):
                # sending it again is safe.
                Rpc.connect_retries += 1
                time.sleep(0.5 * 2**attempt)
        else:
            raise RpcError("could not connect")
        if "error" in response:
            raise RpcError(response["error"]["data"].get("message", "?"))
        return response["result"]

    def __call__(self, model, method, *args, **kwargs):
        return self._call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )


class RpcError(Exception):
    pass


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = Counter()
        self.expected_refusals = Counter()
        self.approvals_ok = 0

    def timed(self, name, func, *args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            with self.lock:
                self.latencies[name].append(time.perf_counter() - start)


def setup(admin, n_sales, n_reviewers, n_clients):
    """Users, customer, product and a two-tier chain, all over RPC."""

    def ref(xmlid):
        module, name = xmlid.split(".")
        return admin("ir.model.data", "check_object_reference", module, name)[1]

    company_id = admin("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][0]
    admin(
        "res.company",
        "write",
        [company_id],
        {"sale_policy_enabled": True, "account_use_credit_limit": False},
    )
    admin(
        "sale.policy.rule",
        "write",
        admin("sale.policy.rule", "search", [("company_id", "=", company_id)]),
        {"active": False},
    )
    tag = str(int(time.time()))
    user_group, sales_group = ref("base.group_user"), ref("sales_team.group_sale_salesman")
    finance_group = ref("sale_order_policy.group_finance_reviewer")
    manager_group = ref("sales_team.group_sale_manager")

    def users(prefix, count, groups):
        return [
            admin(
                "res.users",
                "create",
                {
                    "name": f"{prefix} {i}",
                    "login": f"{prefix}{i}-{tag}",
                    "password": "load",
                    "email": f"{prefix}{i}-{tag}@example.com",
                    "groups_id": [(6, 0, groups)],
                },
            )
            for i in range(count)
        ]

    sales = users("load-sales", n_sales, [user_group, sales_group])
    heads = users("load-head", n_reviewers, [user_group, manager_group])
    finance = users("load-fin", n_reviewers, [user_group, finance_group])
    admin(
        "sale.policy.rule",
        "create",
        {
            "name": "Load: sales head",
            "sequence": 10,
            "company_id": company_id,
            "reviewer_type": "users",
            "reviewer_user_ids": [(6, 0, heads)],
        },
    )
    admin(
        "sale.policy.rule",
        "create",
        {
            "name": "Load: finance",
            "sequence": 20,
            "company_id": company_id,
            "reviewer_type": "users",
            "reviewer_user_ids": [(6, 0, finance)],
        },
    )
    # One customer per client: Odoo itself updates the customer row on confirmation
    # (follower notification), so a single shared customer serialises everything.
    partners = [
        admin(
            "res.partner",
            "create",
            {
                "name": f"Load customer {tag}-{i}",
                "email": f"load{i}@example.com",
                "phone": "+86 21 0000",
            },
        )
        for i in range(n_clients)
    ]
    product = admin(
        "product.product",
        "create",
        {"name": f"Load item {tag}", "type": "service", "list_price": 100.0, "taxes_id": [(5,)]},
    )
    term = ref("account.account_payment_term_immediate")
    logins = lambda ids: [u["login"] for u in admin("res.users", "read", ids, ["login"])]  # noqa: E731
    return {
        "sales": logins(sales),
        "heads": logins(heads),
        "finance": logins(finance),
        "partners": partners,
        "product": product,
        "term": term,
        "tag": tag,
    }


def worker(url, db, ctx, n_orders, stats, rng, partner, delay):
    time.sleep(delay)  # clients ramp up over a few seconds, as a real fleet does
    try:
        sales = Rpc(url, db, rng.choice(ctx["sales"]), "load")
        heads = [Rpc(url, db, login, "load") for login in rng.sample(ctx["heads"], 2)]
        fin = Rpc(url, db, rng.choice(ctx["finance"]), "load")
    except Exception as error:  # noqa: BLE001 - every failure is reported
        with stats.lock:
            stats.errors[f"login: {type(error).__name__}: {str(error)[:80]}"] += n_orders
        return
    for _i in range(n_orders):
        try:
            order = stats.timed(
                "create",
                sales,
                "sale.order",
                "create",
                {
                    "partner_id": partner,
                    "payment_term_id": ctx["term"],
                    "commitment_date": "2099-01-01 08:00:00",
                    "intake_channel": "phone",
                    "customer_confirmation_method": "phone",
                    "client_order_ref": ctx["tag"],
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": ctx["product"],
                                "product_uom_qty": 1 + rng.randint(0, 9),
                                "price_unit": 100.0,
                            },
                        )
                    ],
                },
            )
            stats.timed("submit", sales, "sale.order", "action_submit_for_review", [order])
            if rng.random() < 0.2:  # premature confirmation must be refused
                try:
                    sales("sale.order", "action_confirm", [order])
                    with stats.lock:
                        stats.errors["confirmed before approval"] += 1
                except RpcError:
                    with stats.lock:
                        stats.expected_refusals["premature confirm"] += 1
            for tier_users in (heads, [fin]):
                review = sales(
                    "sale.policy.review",
                    "search",
                    [("order_id", "=", order), ("state", "=", "pending")],
                )
                # Two heads race on the same "any" step: exactly one must win.
                threads, outcomes = [], []

                def approve(rpc, outcomes=outcomes, review=review):
                    try:
                        stats.timed("approve", rpc, "sale.policy.review", "action_approve", review)
                        outcomes.append(True)
                    except RpcError as error:
                        outcomes.append(str(error))

                racers = (
                    tier_users if (len(tier_users) > 1 and rng.random() < 0.3) else tier_users[:1]
                )
                for rpc in racers:
                    thread = threading.Thread(target=approve, args=(rpc,))
                    thread.start()
                    threads.append(thread)
                for thread in threads:
                    thread.join()
                wins = outcomes.count(True)
                with stats.lock:
                    stats.approvals_ok += wins
                    if wins != 1:
                        stats.errors[f"step decided {wins} times: {outcomes}"] += 1
                    elif len(outcomes) > 1:
                        stats.expected_refusals["duplicate approval refused"] += len(outcomes) - 1
            stats.timed("confirm", sales, "sale.order", "action_confirm", [order])
        except Exception as error:  # noqa: BLE001 - every failure is reported
            with stats.lock:
                stats.errors[f"{type(error).__name__}: {str(error)[:120]}"] += 1


def cron_driver(admin, stop, stats):
    crons = admin(
        "ir.cron",
        "search",
        [
            (
                "ir_actions_server_id.model_id.model",
                "in",
                ["sale.policy.review", "sale.policy.exception"],
            )
        ],
    )
    while not stop.is_set():
        for cron in crons:
            try:
                stats.timed("cron", admin, "ir.cron", "method_direct_trigger", [cron])
            except RpcError as error:
                with stats.lock:
                    stats.errors[f"cron: {str(error)[:80]}"] += 1
        stop.wait(2)
    return crons


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-c", "--config", default=os.path.join(ROOT, ".odoo.conf"))
    parser.add_argument("-d", "--database", default="sop_load")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8179)
    args = parser.parse_args()
    conf = configparser.ConfigParser()
    conf.read(args.config)
    opts = conf["options"]
    python = sys.executable
    subprocess.run(
        [python, "tools/dbtool.py", "drop", args.config, args.database], check=True, cwd=ROOT
    )
    subprocess.run(
        [
            python,
            "-m",
            "odoo",
            "-c",
            args.config,
            "-d",
            args.database,
            "-i",
            "sale_order_policy",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
        cwd=ROOT,
    )
    server_log = open("/tmp/sop_load_server.log", "w")  # noqa: SIM115 - lives with the server
    # Prefork workers re-execute the server's command line: run odoo-bin, not `-m odoo`.
    import odoo

    odoo_root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
    odoo_bin = os.path.join(odoo_root, "odoo-bin")
    if not os.path.exists(odoo_bin):
        odoo_bin = os.path.join(os.path.dirname(python), "odoo")
    server = subprocess.Popen(
        [
            python,
            odoo_bin,
            "-c",
            args.config,
            "-d",
            args.database,
            f"--db-filter=^{args.database}$",
            f"--workers={args.workers}",
            f"--http-port={args.port}",
            "--max-cron-threads=0",
            "--limit-time-real=600",
            "--limit-time-cpu=600",
            "--log-level=warn",
            "--limit-memory-soft=2147483648",
            "--limit-memory-hard=4294967296",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=server_log,
    )
    url = f"http://127.0.0.1:{args.port}"
    try:
        for _i in range(120):
            try:
                requests.get(f"{url}/web/login", timeout=2)
                break
            except requests.RequestException:
                time.sleep(1)
        admin = Rpc(url, args.database, "admin", "admin")
        ctx = setup(admin, n_sales=10, n_reviewers=5, n_clients=args.clients)
        stats = Stats()
        stop = threading.Event()
        cron_thread = threading.Thread(target=cron_driver, args=(admin, stop, stats))
        cron_thread.start()
        per_client = [
            args.orders // args.clients + (1 if i < args.orders % args.clients else 0)
            for i in range(args.clients)
        ]
        threads = [
            threading.Thread(
                target=worker,
                args=(
                    url,
                    args.database,
                    ctx,
                    n,
                    stats,
                    random.Random(i),
                    ctx["partners"][i],
                    i * 0.2,
                ),
            )
            for i, n in enumerate(per_client)
        ]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        stop.set()
        cron_thread.join()
    finally:
        server.terminate()
        server.wait(timeout=60)

    cnx = psycopg2.connect(
        host=opts.get("db_host"),
        port=opts.get("db_port"),
        user=opts.get("db_user"),
        dbname=args.database,
    )
    with cnx, cnx.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM sale_order WHERE client_order_ref = %s AND state = 'sale'",
            (ctx["tag"],),
        )
        confirmed = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM sale_order WHERE state = 'sale' AND approval_state != 'approved'"
        )
        unapproved = cr.fetchone()[0]
        cr.execute(
            """SELECT count(*) FROM sale_policy_log l JOIN sale_order o ON o.id = l.order_id
                      WHERE o.client_order_ref = %s AND l.event = 'approve'""",
            (ctx["tag"],),
        )
        approve_logs = cr.fetchone()[0]
        cr.execute(
            """SELECT count(*) FROM sale_policy_review r JOIN sale_order o ON o.id = r.order_id
                WHERE o.client_order_ref = %s AND r.state = 'approved'
                  AND r.decided_by_id IS NULL""",
            (ctx["tag"],),
        )
        anonymous = cr.fetchone()[0]
    cnx.close()
    calls = sum(len(v) for k, v in stats.latencies.items() if k != "cron")
    lines = [
        f"# Load test: {args.clients} JSON-RPC clients, Odoo --workers={args.workers}, "
        f"{os.cpu_count()} CPU cores",
        "",
        f"- orders: {args.orders} requested, {confirmed} confirmed in {elapsed:.1f} s "
        f"({confirmed / elapsed:.1f} orders/s, {calls / elapsed:.1f} RPC calls/s)",
        f"- errors: {sum(stats.errors.values())} {dict(stats.errors) or ''}",
        f"- refused as they must be: {dict(stats.expected_refusals)}",
        f"- connections retried after a connect timeout (request never sent): "
        f"{Rpc.connect_retries}",
        f"- successful approvals {stats.approvals_ok} = approve log lines {approve_logs} "
        f"(lost decisions: {stats.approvals_ok - approve_logs}); "
        f"approved reviews without a decider: {anonymous}",
        f"- orders confirmed without approval (whole database): {unapproved}",
        "",
        "| call | count | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for name, values in sorted(stats.latencies.items()):
        values = sorted(values)
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        lines.append(
            f"| {name} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
            f"{p95 * 1000:.0f} | {values[-1] * 1000:.0f} |"
        )
    report = "\n".join(lines)
    print(report)
    os.makedirs(os.path.join(ROOT, "benchmarks", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "benchmarks", "results", "load.md"), "w") as handle:
        handle.write(report + "\n")
    ok = not stats.errors and unapproved == 0 and stats.approvals_ok == approve_logs
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
