"""Odoo's own sale tests with and without this module: `make test-compat`.

Runs the at-install and post-install tests of Odoo's sale modules (`ODOO_MODULES`) in
three databases, then compares the failing tests of each with the baseline:

- base: `ODOO_MODULES` with demo data, without sale_order_policy;
- a:    the same plus sale_order_policy, with demo data, the policy as the data leave it
        (off in the main company; on only in the module's demo company);
- b:    a copy of (a) taken before any test ran, with the policy switched on for every
        company, for every company created later (an `ir.default`, since Odoo's tests
        create their own companies), no order element required, and every approval rule
        archived, so that no rule applies to any order: `action_confirm` approves and
        confirms in one click, and what remains is the policy on every path (the gate,
        the approved-version invariant on confirmed orders, payments, portal).

The same three steps for each database, so the comparison is fair:

1. create it with the modules and their demo data, no tests (`-i ... --stop-after-init`);
2. prepare it (only b: `prepare_policy_on`);
3. run the tests on the existing database: `--test-enable --test-tags /sale,...` without
   `-i`/`-u`. Odoo then runs each module's at-install tests while it loads the registry
   module by module (as in an installation, except that the tables of the modules loaded
   later exist already), then the post-install tests on the full registry.

At-install tests of a module that sale_order_policy depends on (sale, sale_management,
sale_stock) run before the module's Python code is loaded, in every setup: they can only
differ through the database (its columns, its data). That is what Odoo's own runner does
too.

The comparison is a report: the exit status is non-zero only when a step could not run
(an install failed, a test run ended without Odoo's final summary line).

    compat.py CONF [--setups base,a,b] [--port 8471] [--parallel] [--reuse] [--report-only]
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import dbtool

ROOT = Path(__file__).resolve().parent.parent
MODULE = "sale_order_policy"
ODOO_MODULES = [
    "sale",
    "sale_management",
    "sale_stock",
    "sale_mrp",
    "sale_purchase",
    "sale_expense",
    "stock_delivery",
]
SETUPS = {
    "base": {"db": "sop_compat_base", "modules": ODOO_MODULES, "title": "baseline (Odoo only)"},
    "a": {
        "db": "sop_compat_a",
        "modules": [*ODOO_MODULES, MODULE],
        "title": "(a) + sale_order_policy, demo data",
    },
    "b": {
        "db": "sop_compat_b",
        "copy_of": "a",
        "modules": [*ODOO_MODULES, MODULE],
        "title": "(b) = (a) with the policy on in every company, no rule applying",
    },
}
LOG_DIR = ROOT / ".compat"
REPORT = ROOT / "benchmarks" / "results" / "compat.md"

# 2025-05-06 10:00:00,123 4242 ERROR sop_compat_a odoo.addons.sale.tests.test_x: FAIL: TestX.test_y
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) "
    r"(?P<logger>[\w.]+): (?P<message>.*)$"
)
OUTCOME = re.compile(r"^(?P<kind>FAIL|ERROR): (?P<desc>.+)$")
HOLDER = re.compile(r"^(?P<what>\w+) \((?P<path>[\w.]+)\)")
SUMMARY = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)
MODULE_STATS = re.compile(r"^(?P<module>\w+): (?P<count>\d+) tests ")


class InfrastructureError(Exception):
    pass


def odoo_cmd(conf, *args, command=()):
    return [sys.executable, "-m", "odoo", *command, "-c", str(conf), *args]


def start_logged(cmd, log_path, title):
    print(f"[compat] {title}: {' '.join(cmd[2:])}  (log: {log_path})", flush=True)
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed in wait_logged)
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    return process, log, title, time.monotonic()


def wait_logged(started):
    process, log, title, t0 = started
    rc = process.wait()
    log.close()
    print(f"[compat] {title}: exit {rc} after {time.monotonic() - t0:.0f} s", flush=True)
    return rc


def run_logged(cmd, log_path, title):
    return wait_logged(start_logged(cmd, log_path, title))


def filestore(conf, dbname):
    import configparser  # noqa: PLC0415

    parser = configparser.ConfigParser()
    parser.read(conf)
    return Path(parser["options"]["data_dir"]) / "filestore" / dbname


def create(conf, name, port):
    setup = SETUPS[name]
    dbtool.drop(conf, setup["db"])
    shutil.rmtree(filestore(conf, setup["db"]), ignore_errors=True)
    if setup.get("copy_of"):
        source = SETUPS[setup["copy_of"]]["db"]
        copy_database(conf, source, setup["db"])
    else:
        cmd = odoo_cmd(
            conf,
            "-d",
            setup["db"],
            "-i",
            ",".join(setup["modules"]),
            "--stop-after-init",
            "--log-level=warn",
            f"--http-port={port}",
            "--max-cron-threads=0",
        )
        rc = run_logged(cmd, LOG_DIR / f"{name}.install.log", f"{name}: install")
        if rc or not dbtool.installed(conf, setup["db"], setup["modules"][-1]):
            raise InfrastructureError(f"{name}: installing {setup['modules']} failed")
        failures = dbtool.demo_failures(conf, setup["db"])
        if failures:
            raise InfrastructureError(f"{name}: demo data failed to load: {failures}")
    if name == "b":
        prepare_policy_on(conf, setup["db"])


def copy_database(conf, source, target):
    cnx = dbtool.connect(conf, "postgres")
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (source,),
        )
        cr.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    cnx.close()
    if filestore(conf, source).is_dir():
        shutil.copytree(filestore(conf, source), filestore(conf, target))


POLICY_ON = """
REQUIRED = ["sale_policy_require_" + name for name in (
    "addresses", "contact", "commitment_date", "payment_term", "confirmation", "intake_channel")]
values = {"sale_policy_enabled": True, **dict.fromkeys(REQUIRED, False)}
for fname, value in values.items():
    env["ir.default"].set("res.company", fname, value)
env["res.company"].with_context(active_test=False).search([]).write(values)
env["sale.policy.rule"].search([]).write({"active": False})
env.cr.commit()
print("POLICY-ON", env["res.company"].search_count([("sale_policy_enabled", "=", False)]),
      env["sale.policy.rule"].search_count([]))
"""


def prepare_policy_on(conf, dbname):
    """Setup (b): the policy on everywhere, no approval rule left to apply, no order
    element required (Odoo's test orders carry no delivery date or confirmation method):
    `action_confirm` then approves and confirms in one click, and what remains is the
    policy itself on every path (the gate, confirmed orders, payments, portal)."""
    print(f"[compat] b: switching the policy on in {dbname}", flush=True)
    out = subprocess.run(
        odoo_cmd(conf, "-d", dbname, "--no-http", "--log-level=warn", command=["shell"]),
        input=POLICY_ON,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if "POLICY-ON 0 0" not in out.stdout:
        raise InfrastructureError(f"b: switching the policy on failed:\n{out.stdout}{out.stderr}")


def start_tests(conf, name, port):
    setup = SETUPS[name]
    tags = ",".join(f"/{module}" for module in ODOO_MODULES)
    cmd = odoo_cmd(
        conf,
        "-d",
        setup["db"],
        "--test-enable",
        f"--test-tags={tags}",
        "--stop-after-init",
        "--log-level=info",
        f"--http-port={port}",
        "--max-cron-threads=0",
    )
    return start_logged(cmd, LOG_DIR / f"{name}.test.log", f"{name}: tests")


def test_id(logger, desc):
    """`sale.tests.test_x.TestX.test_y`, or `...TestX.setUpClass` for class errors."""
    holder = HOLDER.match(desc)
    if holder and holder["path"].startswith("odoo.addons."):
        return f"{holder['path'].removeprefix('odoo.addons.')}.{holder['what']}"
    if desc.startswith("Subtest "):
        desc = desc.removeprefix("Subtest ")
    return f"{logger.removeprefix('odoo.addons.')}.{desc}"


def excerpt(lines):
    """The exception's message: the lines after the last traceback frame."""
    body = [line for line in lines if line.strip()]
    last_frame = max(
        (i for i, line in enumerate(body) if line.startswith("  ") or line == "Traceback"),
        default=-1,
    )
    message = " ".join(line.strip() for line in body[last_frame + 1 :][:4])
    return message[:300] if message else (body[-1].strip()[:300] if body else "")


def parse_log(path):
    """{test id: message}, tests run, Odoo's summary (failed, errors) and tests per module."""
    outcomes = {}
    summary = None
    per_module = Counter()
    current = None
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for line in text:
        match = LOG_LINE.match(line)
        if not match:
            if current is not None:
                current[1].append(line)
            continue
        if current is not None:
            outcomes[current[0]] = f"{current[2]}: {excerpt(current[1])}"
            current = None
        message = match["message"]
        outcome = OUTCOME.match(message)
        if outcome and match["level"] == "ERROR":
            current = (test_id(match["logger"], outcome["desc"]), [], outcome["kind"])
            continue
        found = SUMMARY.search(message)
        if found:
            summary = {key: int(value) for key, value in found.groupdict().items()}
        if match["logger"] == "odoo.tests.stats":
            stats = MODULE_STATS.match(message)
            if stats:
                per_module[stats["module"]] = int(stats["count"])
    if current is not None:
        outcomes[current[0]] = f"{current[2]}: {excerpt(current[1])}"
    return {"outcomes": outcomes, "summary": summary, "per_module": per_module}


def md_escape(text):
    return text.replace("|", "\\|").replace("\n", " ")


def report(results, out):
    lines = ["## Odoo's own sale tests with sale_order_policy (`make test-compat`)", ""]
    lines.append(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC. "
        f"Modules tested: {', '.join(ODOO_MODULES)} (at-install and post-install tests)."
    )
    lines += [
        "",
        "Each database is created with the modules and their demo data (no tests), "
        "prepared (b: the policy on in every company and as the default of new companies, "
        "every approval rule archived), then tested with `--test-enable --test-tags` and no "
        "`-i`/`-u`: at-install tests run while the registry loads module by module, then the "
        "post-install tests. At-install tests therefore run on a database that already has "
        "the tables of the modules loaded after theirs (in every setup alike): the "
        "`setUpClass` errors on NOT NULL columns of later modules come from that. "
        "Logs: `.compat/<setup>.test.log`.",
    ]
    lines += ["", "| setup | database | tests run | failed | errors | failing tests |"]
    lines.append("|---|---|---|---|---|---|")
    for name, result in results.items():
        summary = result["summary"] or {"run": "?", "failed": "?", "errors": "?"}
        lines.append(
            f"| {SETUPS[name]['title']} | `{SETUPS[name]['db']}` | {summary['run']} | "
            f"{summary['failed']} | {summary['errors']} | {len(result['outcomes'])} |"
        )
    modules = sorted({m for result in results.values() for m in result["per_module"]})
    if modules:
        lines += ["", "Tests per module (`odoo.tests.stats`: test ids timed, subtests aside):", ""]
        lines.append("| module | " + " | ".join(results) + " |")
        lines.append("|---|" + "---|" * len(results))
        for module in modules:
            counts = " | ".join(str(r["per_module"].get(module, 0)) for r in results.values())
            lines.append(f"| {module} | {counts} |")
    base = results.get("base")
    for name, result in results.items():
        if name == "base" or base is None:
            failing = result["outcomes"]
            if failing:
                lines += ["", f"### Failing in {SETUPS[name]['title']}", ""]
                lines += [f"- `{tid}`: {md_escape(msg)}" for tid, msg in sorted(failing.items())]
            continue
        new = sorted(set(result["outcomes"]) - set(base["outcomes"]))
        fixed = sorted(set(base["outcomes"]) - set(result["outcomes"]))
        lines += ["", f"### {SETUPS[name]['title']} vs baseline", ""]
        lines.append(f"Failing here, passing in the baseline ({len(new)}):")
        lines.append("")
        lines += [f"- `{tid}`: {md_escape(result['outcomes'][tid])}" for tid in new] or ["- none"]
        lines += ["", f"Failing in the baseline, passing here ({len(fixed)}):", ""]
        lines += [f"- `{tid}`" for tid in fixed] or ["- none"]
    text = "\n".join(lines) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("conf")
    parser.add_argument("--setups", default="base,a,b")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SOP_HTTP_PORT", 8471)))
    parser.add_argument(
        "--parallel", action="store_true", help="test the databases at the same time"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep the databases base and a if installed"
    )
    parser.add_argument("--report-only", action="store_true", help="parse existing logs")
    parser.add_argument("--out", type=Path, default=REPORT)
    args = parser.parse_args()
    conf = Path(args.conf).resolve()
    names = [name.strip() for name in args.setups.split(",") if name.strip()]
    unknown = set(names) - set(SETUPS)
    if unknown:
        sys.exit(f"unknown setups {sorted(unknown)}; known: {sorted(SETUPS)}")
    LOG_DIR.mkdir(exist_ok=True)
    try:
        if not args.report_only:
            # b is a copy of a taken before a's tests run: create a first when b is asked.
            to_create = [n for n in SETUPS if n in names or (n == "a" and "b" in names)]
            for name in to_create:
                setup = SETUPS[name]
                # b is always made again from a: a reused b may have run tests already.
                installed = dbtool.installed(conf, setup["db"], setup["modules"][-1])
                if args.reuse and installed and not setup.get("copy_of"):
                    continue
                create(conf, name, args.port)
            if args.parallel:
                # One HTTP port per database: the tours of each run need their own server.
                runs = [start_tests(conf, n, args.port + i) for i, n in enumerate(names)]
                for run in runs:
                    wait_logged(run)
            else:
                for name in names:
                    wait_logged(start_tests(conf, name, args.port))
        results = {}
        if args.report_only:
            names = [n for n in names if (LOG_DIR / f"{n}.test.log").exists()]
        elif "base" not in names and (LOG_DIR / "base.test.log").exists():
            # The baseline does not depend on this module: compare with its last run.
            names.append("base")
        for name in [n for n in SETUPS if n in names]:
            log = LOG_DIR / f"{name}.test.log"
            if not log.exists():
                raise InfrastructureError(f"{name}: no test log {log}")
            results[name] = parse_log(log)
            if results[name]["summary"] is None:
                raise InfrastructureError(
                    f"{name}: {log} has no final test summary: the run did not complete"
                )
        report(results, args.out)
    except InfrastructureError as error:
        print(f"[compat] infrastructure failure: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
