"""Shared pieces of the load scripts (`load_rpc.py`, `history.py`): databases copied from
templates, Odoo servers in their own process groups (always stopped on exit), a JSON-RPC
client that retries calls cut by a crash, latency statistics and CPU accounting of the
server processes and their PostgreSQL backends (from /proc).
"""

import atexit
import configparser
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import dbtool  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ----------------------------------------------------------------------------------------
# Databases
# ----------------------------------------------------------------------------------------


def conf_options(conf):
    parser = configparser.ConfigParser()
    parser.read(conf)
    return parser["options"]


def connect(conf, dbname, autocommit=True):
    cnx = dbtool.connect(conf, dbname)
    cnx.autocommit = autocommit
    return cnx


def query(conf, dbname, sql, params=None):
    """Rows of one statement, on a short-lived connection."""
    cnx = connect(conf, dbname)
    try:
        with cnx.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall() if cr.description else []
    finally:
        cnx.close()


def filestore(conf, dbname):
    data_dir = conf_options(conf).get("data_dir") or os.path.expanduser("~/.local/share/Odoo")
    return Path(data_dir) / "filestore" / dbname


def ensure_template(conf, dbname, modules):
    """A database with `modules` installed (no demo data), kept to be copied from."""
    dbtool.ensure_installed(conf, dbname, list(modules))


def copy_database(conf, template, target):
    """`target` as a fresh copy of `template`, filestore included."""
    drop_database(conf, target)
    cnx = connect(conf, "postgres")
    with cnx.cursor() as cr:
        cr.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
    cnx.close()
    if filestore(conf, template).exists():
        shutil.copytree(filestore(conf, template), filestore(conf, target))


def drop_database(conf, dbname):
    dbtool.drop(conf, dbname)
    shutil.rmtree(filestore(conf, dbname), ignore_errors=True)


# ----------------------------------------------------------------------------------------
# Servers
# ----------------------------------------------------------------------------------------


def odoo_bin():
    """Prefork workers re-execute the server's command line: run odoo-bin, not `-m odoo`."""
    import odoo  # noqa: PLC0415 - only where a server is started

    candidate = Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
    return str(candidate if candidate.exists() else Path(sys.executable).parent / "odoo")


class Server:
    """One Odoo instance in its own process group, stopped at exit whatever happens."""

    running = []

    def __init__(self, conf, dbname, name, options, log_dir="/tmp"):
        self.conf, self.dbname, self.name, self.options = conf, dbname, name, options
        self.log_path = Path(log_dir) / f"sop_load_{name}.log"
        self.process = None

    def start(self):
        log = open(self.log_path, "a")  # noqa: SIM115 - lives with the server
        command = [sys.executable, odoo_bin(), "-c", self.conf, "-d", self.dbname]
        command += [f"--db-filter=^{self.dbname}$", "--log-level=warn", *self.options]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
        )
        log.close()
        Server.running.append(self)
        return self

    @property
    def pid(self):
        return self.process.pid

    def wait_http(self, port, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                requests.get(f"http://127.0.0.1:{port}/web/login", timeout=5)
                return
            except requests.RequestException:
                time.sleep(1)
        raise RuntimeError(f"{self.name} did not answer on port {port}")

    def kill9(self):
        """A crash: SIGKILL to the whole group, no clean-up by Odoo."""
        self._signal_group(signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout=60):
        if self.process and self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait()
        if self in Server.running:
            Server.running.remove(self)

    def _signal_group(self, sig):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    @classmethod
    def stop_all(cls):
        for server in list(cls.running):
            server.stop(timeout=20)


def _stop_on_signal(signum, _frame):
    Server.stop_all()
    sys.exit(128 + signum)


def install_cleanup():
    atexit.register(Server.stop_all)
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)


def wait_port_free(port, timeout=30):
    """A restarted server must not meet its predecessor's socket."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/web/login", timeout=1)
            time.sleep(0.5)
        except requests.RequestException:
            return


# ----------------------------------------------------------------------------------------
# CPU of process trees and PostgreSQL backends
# ----------------------------------------------------------------------------------------


def _proc_stat(pid):
    """(ppid, utime + stime in seconds), or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            rest = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / CLK_TCK


def _backends(dbname):
    """Pids of the PostgreSQL backends serving `dbname` (their title names the database)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        title = cmdline(entry)
        if title.startswith("postgres: ") and f" {dbname} " in title:
            pids.append(int(entry))
    return pids


def process_table():
    """{pid: (ppid, cpu seconds)} of every process."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat:
                stats[int(entry)] = stat
    return stats


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def kill9(pid):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _tree(roots):
    stats = process_table()
    children = defaultdict(list)
    for pid, (ppid, _cpu) in stats.items():
        children[ppid].append(pid)
    found, todo = {}, [root for root in roots if root in stats]
    while todo:
        pid = todo.pop()
        found[pid] = stats[pid][1]
        todo += children[pid]
    return found


class CpuMeter:
    """CPU seconds used by the Odoo process trees and the database's backends between
    `start()` and `stop()`. Sampled every second, so that processes which end during the
    run (a recycled or killed worker, a closed connection) still count up to their last
    sample; a process born during the run counts from zero."""

    def __init__(self, dbname, roots_func, interval=1.0):
        self.dbname, self.roots_func, self.interval = dbname, roots_func, interval
        self.first, self.last = {}, {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, initial=False):
        odoo_pids = _tree(self.roots_func())
        pg_pids = {pid: stat[1] for pid in _backends(self.dbname) if (stat := _proc_stat(pid))}
        for kind, sample in (("odoo", odoo_pids), ("postgres", pg_pids)):
            for pid, cpu in sample.items():
                key = (kind, pid)
                self.first.setdefault(key, cpu if initial else 0.0)
                self.last[key] = cpu

    def _run(self):
        while not self.stop_event.wait(self.interval):
            self._sample()

    def start(self):
        self._sample(initial=True)
        self.thread.start()
        return self

    def stop(self):
        self.stop_event.set()
        self.thread.join()
        self._sample()
        totals = Counter()
        for key, cpu in self.last.items():
            totals[key[0]] += cpu - self.first[key]
        return {"odoo": totals["odoo"], "postgres": totals["postgres"]}


# ----------------------------------------------------------------------------------------
# JSON-RPC
# ----------------------------------------------------------------------------------------


class RpcError(Exception):
    pass


class CallCut(Exception):
    """The connection broke after the request was sent: the call may have run or not."""


class Rpc:
    """A web client's session: one login (`/web/session/authenticate`), then `call_kw`
    requests with the session cookie, as the browser does. (The `/jsonrpc` service would
    check the password, 600,000 PBKDF2 rounds, on every call.)"""

    connect_retries = 0
    # One login per user: PBKDF2 costs the server ~0.5 s of CPU per login, so clients of the
    # same user share its session cookie (the sessions are on disk, common to all servers),
    # as browser tabs do.
    logins = {}
    logins_lock = threading.Lock()

    def __init__(self, url, db, login, password):
        self.url, self.db = url, db
        self.session = requests.Session()
        with Rpc.logins_lock:
            known = Rpc.logins.get((db, login))
            if not known:
                self._login(db, login, password)
                Rpc.logins[(db, login)] = (self.uid, self.session.cookies.get_dict())
                return
        self.uid = known[0]
        self.session.cookies.update(known[1])

    def _login(self, db, login, password):
        for attempt in range(8):
            try:  # logging in twice is harmless, so any failure to connect is retried
                params = {"db": db, "login": login, "password": password}
                self.uid = self._post("/web/session/authenticate", params)["uid"]
                break
            except (requests.ConnectionError, CallCut):
                Rpc.connect_retries += 1
                time.sleep(0.5 * 2**attempt)
        else:
            raise RpcError(f"{login} could not log in")
        if not self.uid:
            raise RpcError(f"{login} could not log in")

    def _post(self, path, params):
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        for attempt in range(8):
            try:
                response = self.session.post(f"{self.url}{path}", json=payload, timeout=(10, 600))
                data = response.json()
                break
            except requests.ConnectTimeout:
                # Never sent (the listen backlog was full): sending it again is safe.
                Rpc.connect_retries += 1
                time.sleep(0.5 * 2**attempt)
            except (requests.ConnectionError, ValueError) as error:
                # Sent, then the worker died (kill -9) or answered garbage.
                raise CallCut(str(error)[:80]) from error
        else:
            raise RpcError("could not connect")
        if "error" in data:
            raise RpcError(data["error"]["data"].get("message", "?"))
        return data["result"]

    def __call__(self, model, method, *args, **kwargs):
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        return self._post(f"/web/dataset/call_kw/{model}/{method}", params)


# ----------------------------------------------------------------------------------------
# Statistics
# ----------------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = Counter()
        self.events = Counter()

    def timed(self, name, func, *args, **kwargs):
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            with self.lock:
                self.latencies[name].append(time.perf_counter() - start)

    def count(self, name, n=1, error=False):
        with self.lock:
            (self.errors if error else self.events)[name] += n


def percentile(values, share):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * share))]


def summary(values):
    """(count, p50, p95, max) in milliseconds."""
    return (
        len(values),
        percentile(values, 0.5) * 1000,
        percentile(values, 0.95) * 1000,
        max(values, default=float("nan")) * 1000,
    )


def machine_line():
    with open("/proc/loadavg") as handle:
        load = " ".join(handle.read().split()[:3])
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"{stamp}, {os.cpu_count()} cores, load average {load}"


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
