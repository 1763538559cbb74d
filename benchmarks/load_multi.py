"""`load_rpc.py --topology multi`: two HTTP instances (2 prefork workers each, no cron) and
one cron-only instance (`--no-http`, 2 cron threads) on one database; the clients are
spread over both HTTP ports. A share of the orders is submitted and left pending; their
deadlines are moved into the past by SQL so that the SLA cron escalates them, in small
batches. During the run the script kills -9 one HTTP worker (its prefork master replaces
it) and the cron instance after the SLA cron's first committed batch (then restarts it).
At the end it drains the crons and checks the invariants in the database.
"""

import random
import threading
import time

import loadlib
from load_flow import setup_common, setup_policy
from loadlib import Rpc, Server, Stats

SLA_CRON = "ir_cron_sale_policy_review_sla"


def cron_id(conf, db, name):
    ((res_id,),) = loadlib.query(
        conf,
        db,
        "SELECT res_id FROM ir_model_data WHERE module = 'sale_order_policy' AND name = %s",
        (name,),
    )
    return res_id


def set_sla_batch(conf, db, batch):
    """Small SLA batches (each committed), so that a crash can fall between two."""
    code = f"model._cron_check_sla(batch_size={int(batch)})"
    loadlib.query(
        conf,
        db,
        "UPDATE ir_act_server SET code = %s WHERE id = "
        "(SELECT ir_actions_server_id FROM ir_cron WHERE id = %s)",
        (code, cron_id(conf, db, SLA_CRON)),
    )


def trigger(conf, db, name):
    """What `ir.cron._trigger()` does: a trigger row, then wake the cron threads."""
    loadlib.query(
        conf,
        db,
        "INSERT INTO ir_cron_trigger (cron_id, call_at) VALUES (%s, now() AT TIME ZONE 'UTC')",
        (cron_id(conf, db, name),),
    )
    loadlib.query(conf, "postgres", "SELECT pg_notify('cron_trigger', %s)", (db,))


def breach(conf, db, order_ids):
    """Move the open steps of these orders past their deadline. Returns their ids."""
    if not order_ids:
        return []
    rows = loadlib.query(
        conf,
        db,
        """UPDATE sale_policy_review
              SET deadline = (now() AT TIME ZONE 'UTC') - interval '1 hour',
                  reminder_due_on = (now() AT TIME ZONE 'UTC') - interval '2 hours'
            WHERE state = 'pending' AND escalated_on IS NULL AND order_id = ANY(%s::int[])
        RETURNING id""",
        (list(order_ids),),
    )
    return [row[0] for row in rows]


def escalated(conf, db, review_ids):
    ((count,),) = loadlib.query(
        conf,
        db,
        "SELECT count(*) FROM sale_policy_log "
        "WHERE event = 'escalate' AND review_id = ANY(%s::int[])",
        (list(review_ids),),
    )
    return count


def start_topology(args, db):
    base = args.port + 1
    common = ["--limit-time-real=600", "--limit-time-cpu=600"]
    common += ["--limit-memory-soft=2147483648", "--limit-memory-hard=4294967296"]
    https = [
        Server(
            args.config,
            db,
            f"multi_http{i}",
            ["--workers=2", f"--http-port={base + i}", f"--gevent-port={base + 10 + i}"]
            + ["--max-cron-threads=0", *common],
        ).start()
        for i in range(2)
    ]
    for i, server in enumerate(https):
        server.wait_http(base + i)
    return https, start_cron_instance(args, db)


def start_cron_instance(args, db):
    return Server(
        args.config,
        db,
        "multi_cron",
        ["--no-http", "--workers=0", "--max-cron-threads=2"]
        + [f"--http-port={args.port + 3}", f"--gevent-port={args.port + 13}"],
    ).start()


def http_workers(server):
    """The prefork workers of an HTTP instance (not the gevent process)."""
    workers = []
    for pid, (ppid, _cpu) in loadlib.process_table().items():
        if ppid == server.pid and " gevent " not in loadlib.cmdline(pid):  # not --gevent-port
            workers.append(pid)
    return workers


class Chaos(threading.Thread):
    """The crashes and the SLA breaches, on a timeline relative to the measured run."""

    def __init__(self, args, db, https, cron, ctx, stats):
        super().__init__(daemon=True)
        self.args, self.db, self.https, self.cron = args, db, https, cron
        self.ctx, self.stats = ctx, stats
        self.breached = []
        self.done = threading.Event()

    def run(self):
        try:
            self._timeline()
        except Exception as error:  # noqa: BLE001 - reported as an error of the run
            self.stats.count(f"chaos: {type(error).__name__}: {error}", error=True)
        finally:
            self.done.set()

    def _timeline(self):
        duration, conf = self.args.duration, self.args.config
        time.sleep(duration * 0.3)
        if not self.args.no_crash:
            workers = http_workers(self.https[0])
            if workers:
                victim = random.Random(1).choice(workers)
                loadlib.kill9(victim)
                self.stats.count(f"kill -9 HTTP worker {victim}")
        time.sleep(duration * 0.2)
        self.breached += breach(conf, self.db, list(self.ctx["parked"]))
        self.stats.count("reviews breached by SQL (mid-run)", len(self.breached))
        trigger(conf, self.db, SLA_CRON)
        if not self.args.no_crash:
            self.kill_cron_mid_batch()

    def kill_cron_mid_batch(self, timeout=120):
        conf, total = self.args.config, len(self.breached)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = escalated(conf, self.db, self.breached)
            if done:
                break
            time.sleep(0.05)
        self.cron.kill9()
        self.stats.count(f"kill -9 cron instance after {done}/{total} escalations")
        time.sleep(2)
        self.cron = start_cron_instance(self.args, self.db)
        time.sleep(10)  # the registry loads before the cron threads listen
        trigger(conf, self.db, SLA_CRON)
        self.stats.count("cron instance restarted")


DEFERRED_CRONS = ("ir_cron_sale_policy_notify_activities", "ir_cron_sale_policy_hand_off")
DEFERRED_WORK = """
    SELECT (SELECT count(*) FROM mail_activity WHERE policy_notify_pending)
         + (SELECT count(*) FROM sale_order WHERE policy_handoff_pending)"""
DUE_ESCALATIONS = """
         + (SELECT count(*) FROM sale_policy_review WHERE state = 'pending'
               AND escalated_on IS NULL AND deadline <= now() AT TIME ZONE 'UTC')"""


def drain(conf, db, sla=False, timeout=600):
    """Trigger the crons of the deferred work (and the SLA cron), wait until it is done."""
    for name in (*DEFERRED_CRONS, *([SLA_CRON] if sla else [])):
        trigger(conf, db, name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ((left,),) = loadlib.query(conf, db, DEFERRED_WORK + (DUE_ESCALATIONS if sla else ""))
        if not left:
            return True
        time.sleep(1)
    return False


def finish(args, db, chaos, stats):
    """Breach what was parked after the mid-run breach, then let the crons drain."""
    late = breach(args.config, db, list(chaos.ctx["parked"]))
    chaos.breached += late
    stats.count("reviews breached by SQL (after the run)", len(late))
    return drain(args.config, db, sla=True)


def run_multi(args):
    import load_checks  # noqa: PLC0415
    from load_rpc import TEMPLATES, run_clients  # noqa: PLC0415

    loadlib.ensure_template(args.config, *TEMPLATES["policy"])
    db, n_clients = "sop_load_multi", args.loads[-1]
    loadlib.copy_database(args.config, TEMPLATES["policy"][0], db)
    set_sla_batch(args.config, db, args.sla_batch)
    stats, start_line = Stats(), loadlib.machine_line()
    try:
        https, cron = start_topology(args, db)
        admin = Rpc(f"http://127.0.0.1:{args.port + 1}", db, "admin", "admin")
        ctx = setup_policy(admin, setup_common(admin, n_clients, args.sales), args.heads)
        ctx["parked"] = []
        chaos = Chaos(args, db, https, cron, ctx, stats)
        meter = loadlib.CpuMeter(db, lambda: [s.pid for s in [*https, chaos.cron]])
        urls = [f"http://127.0.0.1:{args.port + 1 + i}" for i in range(2)]
        flow = {"race": 0.3, "premature": 0.2, "park_share": args.park_share}

        def on_start():
            meter.start()
            chaos.start()

        elapsed = run_clients(urls, db, ctx, stats, n_clients, args, flow, on_start)
        chaos.done.wait()
        drained = finish(args, db, chaos, stats)
        cpu = meter.stop()
        report = load_checks.report(args, db, ctx, stats, chaos, elapsed, cpu, drained)
    finally:
        Server.stop_all()
        loadlib.drop_database(args.config, db)
    report = report.replace("{start}", start_line)
    (loadlib.ROOT / "benchmarks" / "results" / "load_multi.md").write_text(report)
    print(report)
    return "✘" not in report
