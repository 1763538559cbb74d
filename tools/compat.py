"""Odoo's own sale tests with and without this module: `make test-compat`.

Runs the at-install and post-install tests of Odoo's sale modules (`ODOO_MODULES`) and
compares the failing tests with a baseline kept in the repository (`compat/baseline.toml`:
the tests that fail in Odoo alone, with their reasons, and the number of tests run).

Two ways of running Odoo's tests, each with its own baseline:

- install: Odoo's own runner. A new database is created with the modules, their demo data
  and the tests in one run (`-i MODULES --test-enable --test-tags ...`): each module's
  at-install tests run as soon as it is installed, the post-install tests on the full
  registry. Setups `base_install` (Odoo alone) and `a` (plus sale_order_policy).
- existing: the database is created first (no tests), prepared, then the tests run on it
  without `-i`/`-u`; at-install tests run while the registry loads module by module, on
  tables of modules loaded later (two NOT NULL `setUpClass` errors in Odoo alone come from
  that). Setups `base` (Odoo alone) and `b`: sale_order_policy with the policy switched on
  in every company and for every company created later (an `ir.default`, since Odoo's
  tests create their own companies), no order element required and every approval rule
  archived, so that no rule applies: `action_confirm` approves and confirms in one
  click, and what remains is the policy on every path (the gate, the approved version of
  confirmed orders, payments, portal).

With `--check`, the exit status is 1 when (a) fails a test the baseline passes or runs
fewer tests than the baseline, or when (b) fails a test that neither the baseline nor
`compat/policy_on_differences.toml` lists with a known refusal. It is 2 when a step could
not run (an install failed, a test run ended without Odoo's final summary line).

    compat.py CONF [--setups a,b] [--port 8471] [--check] [--write-baseline]
              [--write-differences] [--report-only]
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
import tomllib
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
    "base_install": {
        "db": "sop_compat_base_i",
        "mode": "install",
        "modules": ODOO_MODULES,
        "title": "Odoo alone, Odoo's runner (install with tests)",
    },
    "a": {
        "db": "sop_compat_a",
        "mode": "install",
        "modules": [*ODOO_MODULES, MODULE],
        "baseline": "install",
        "title": "(a) + sale_order_policy and its demo data, policy as shipped",
    },
    "base": {
        "db": "sop_compat_base",
        "mode": "existing",
        "modules": ODOO_MODULES,
        "title": "Odoo alone, tests on an existing database",
    },
    "b": {
        "db": "sop_compat_b",
        "mode": "existing",
        "modules": [*ODOO_MODULES, MODULE],
        "baseline": "existing",
        "title": "(b) + sale_order_policy, policy on in every company, no rule applying",
    },
}
BASELINE_OF = {"base_install": "install", "base": "existing"}
LOG_DIR = ROOT / ".compat"
REPORT = ROOT / "benchmarks" / "results" / "compat.md"
BASELINE_FILE = ROOT / "compat" / "baseline.toml"
DIFFERENCES_FILE = ROOT / "compat" / "policy_on_differences.toml"

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


def test_tags():
    return ",".join(f"/{module}" for module in ODOO_MODULES)


def drop(conf, dbname):
    dbtool.drop(conf, dbname)
    shutil.rmtree(filestore(conf, dbname), ignore_errors=True)


def check_installed(conf, name):
    setup = SETUPS[name]
    if not dbtool.installed(conf, setup["db"], setup["modules"][-1]):
        raise InfrastructureError(f"{name}: installing {setup['modules']} failed")
    failures = dbtool.demo_failures(conf, setup["db"])
    if failures:
        raise InfrastructureError(f"{name}: demo data failed to load: {failures}")


def run_install_mode(conf, name, port):
    """Odoo's own runner: install the modules with their demo data and their tests."""
    setup = SETUPS[name]
    drop(conf, setup["db"])
    cmd = odoo_cmd(
        conf,
        "-d",
        setup["db"],
        "-i",
        ",".join(setup["modules"]),
        "--test-enable",
        f"--test-tags={test_tags()}",
        "--stop-after-init",
        "--log-level=info",
        f"--http-port={port}",
        "--max-cron-threads=0",
    )
    run_logged(cmd, LOG_DIR / f"{name}.test.log", f"{name}: install and test")
    check_installed(conf, name)


def run_existing_mode(conf, name, port):
    """Create the database (no tests), prepare it, then test it without -i/-u."""
    setup = SETUPS[name]
    drop(conf, setup["db"])
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
    run_logged(cmd, LOG_DIR / f"{name}.install.log", f"{name}: install")
    check_installed(conf, name)
    if name == "b":
        prepare_policy_on(conf, setup["db"])
    cmd = odoo_cmd(
        conf,
        "-d",
        setup["db"],
        "--test-enable",
        f"--test-tags={test_tags()}",
        "--stop-after-init",
        "--log-level=info",
        f"--http-port={port}",
        "--max-cron-threads=0",
    )
    run_logged(cmd, LOG_DIR / f"{name}.test.log", f"{name}: tests")


POLICY_ON = """
REQUIRED = ["sale_policy_require_" + name for name in (
    "priced_lines", "addresses", "contact", "commitment_date", "payment_term", "confirmation",
    "intake_channel")]
values = {"sale_policy_enabled": True, **dict.fromkeys(REQUIRED, False)}
for fname, value in values.items():
    env["ir.default"].set("res.company", fname, value)
env["res.company"].with_context(active_test=False).search([]).write(values)
# Odoo's tests create their own companies: they start with no approval rule either.
env["ir.default"].set("res.company", "sale_policy_chain_preset", "none")
env["sale.policy.rule"].search([]).write({"active": False})
env.cr.commit()
print("POLICY-ON", env["res.company"].search_count([("sale_policy_enabled", "=", False)]),
      env["sale.policy.rule"].search_count([]))
"""


def prepare_policy_on(conf, dbname):
    """Setup (b): the policy on everywhere, no approval rule left to apply, no order
    element required (Odoo's test orders carry no delivery date or confirmation method)."""
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
    """{test id: message}, tests run, Odoo's summary (failed, errors) and tests per module.

    A run that installs modules logs one summary per registry load: they add up."""
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
            counts = {key: int(value) for key, value in found.groupdict().items()}
            summary = {k: (summary or {}).get(k, 0) + v for k, v in counts.items()}
        if match["logger"] == "odoo.tests.stats":
            stats = MODULE_STATS.match(message)
            if stats:
                per_module[stats["module"]] = int(stats["count"])
    if current is not None:
        outcomes[current[0]] = f"{current[2]}: {excerpt(current[1])}"
    return {"outcomes": outcomes, "summary": summary, "per_module": per_module}


# ----------------------------------------------------------------------------------------
# Baseline and the listed differences of (b)
# ----------------------------------------------------------------------------------------


def toml_str(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def load_toml(path):
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_baseline(results):
    """Rewrite the sections of the baselines run now; keep the others and every note."""
    baseline = load_toml(BASELINE_FILE)
    machine = f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}"
    for name, kind in BASELINE_OF.items():
        if name not in results:
            continue
        old = baseline.get(kind, {}).get("failing", {})
        result = results[name]
        baseline[kind] = {
            "measured": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
            "machine": machine,
            "modules": ODOO_MODULES,
            "tests_run": result["summary"]["run"],
            "per_module": dict(sorted(result["per_module"].items())),
            "failing": {
                tid: {"reason": message, "note": old.get(tid, {}).get("note", "")}
                for tid, message in sorted(result["outcomes"].items())
            },
        }
    lines = [
        "# Odoo's own tests of the sale apps WITHOUT sale_order_policy: what fails there, and",
        "# how many tests run. Written by `make compat-baseline`; notes are kept by hand.",
        "# install: Odoo's runner (-i with --test-enable); existing: tests on an existing",
        "# database (see tools/compat.py).",
    ]
    for kind in ("install", "existing"):
        if kind not in baseline:
            continue
        section = baseline[kind]
        lines += ["", f"[{kind}]"]
        lines.append(f"measured = {toml_str(section['measured'])}")
        lines.append(f"machine = {toml_str(section['machine'])}")
        lines.append("modules = [" + ", ".join(toml_str(m) for m in section["modules"]) + "]")
        lines.append(f"tests_run = {section['tests_run']}")
        lines += ["", f"[{kind}.per_module]"]
        lines += [f"{module} = {count}" for module, count in section["per_module"].items()]
        for tid, entry in section["failing"].items():
            lines += ["", f"[{kind}.failing.{toml_str(tid)}]"]
            lines.append(f"reason = {toml_str(entry['reason'])}")
            lines.append(f"note = {toml_str(entry.get('note', ''))}")
    BASELINE_FILE.parent.mkdir(exist_ok=True)
    BASELINE_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"[compat] wrote {BASELINE_FILE.relative_to(ROOT)}")


# The refusals of (b), by the message that names them; the file says which rule and why.
REFUSALS = [
    ("incomplete", r"is incomplete and cannot be submitted"),
    ("blocking_check", r"is blocked by the .* check"),
    ("confirmed_change", r"is confirmed: what was approved changes only through"),
    ("cancel_request", r"can only be cancelled through an approved cancellation"),
    ("down_payment", r"cannot be invoiced before it is approved"),
]


def classify(message):
    for category, pattern in REFUSALS:
        if re.search(pattern, message):
            return category
    return "unclassified"


def write_differences(result, baseline_failing):
    """List (b)'s differences from its baseline, keeping each entry's hand-written why."""
    listed = load_toml(DIFFERENCES_FILE)
    categories = listed.get("categories", {})
    old = listed.get("differences", {})
    lines = [
        "# Odoo's own tests that fail in setup (b), the policy on in every company with no",
        "# rule applying, and pass in Odoo alone (tests on an existing database). Each is a",
        "# deliberate refusal of the policy: its category names the rule and why the refusal",
        "# is right. `make test-compat` fails on a difference that is not listed here with a",
        "# known category. Rewritten by `tools/compat.py --write-differences` (keeps `why`).",
    ]
    for category, entry in categories.items():
        lines += ["", f"[categories.{category}]"]
        lines += [f"{key} = {toml_str(value)}" for key, value in entry.items()]
    for tid, message in sorted(result["outcomes"].items()):
        if tid in baseline_failing:
            continue
        # A hand-written reason keeps its category; the others are classified again.
        category = old[tid]["category"] if old.get(tid, {}).get("why") else classify(message)
        lines += ["", f"[differences.{toml_str(tid)}]", f"category = {toml_str(category)}"]
        if old.get(tid, {}).get("why"):
            lines.append(f"why = {toml_str(old[tid]['why'])}")
        lines.append(f"message = {toml_str(message)}")
    DIFFERENCES_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"[compat] wrote {DIFFERENCES_FILE.relative_to(ROOT)}")


def compare(name, result, baseline):
    """(new failures, failing in the baseline but passing here, problems for --check)."""
    section = baseline.get(SETUPS[name]["baseline"])
    if not section:
        return [], [], [f"{name}: no baseline [{SETUPS[name]['baseline']}] in {BASELINE_FILE}"]
    base_failing = section.get("failing", {})
    new = sorted(set(result["outcomes"]) - set(base_failing))
    fixed = sorted(set(base_failing) - set(result["outcomes"]))
    problems = []
    run = result["summary"]["run"]
    if name == "a":
        problems += [f"a: {tid} fails, and passes in Odoo alone" for tid in new]
        if run < section["tests_run"]:
            problems.append(f"a: {run} tests run, fewer than Odoo alone ({section['tests_run']})")
    if name == "b":
        listed = load_toml(DIFFERENCES_FILE)
        categories = listed.get("categories", {})
        entries = listed.get("differences", {})
        for tid in new:
            category = entries.get(tid, {}).get("category")
            if category not in categories:
                problems.append(
                    f"b: {tid} fails and is not a listed refusal: "
                    f"{result['outcomes'][tid][:200]}"
                )
    return new, fixed, problems


# ----------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------


def md_escape(text):
    return text.replace("|", "\\|").replace("\n", " ")


def report(results, baseline, out):
    lines = ["## Odoo's own sale tests with sale_order_policy (`make test-compat`)", ""]
    lines.append(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPU, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC. "
        f"Modules tested: {', '.join(ODOO_MODULES)} (at-install and post-install tests). "
        "How each setup runs: `tools/compat.py`. Baselines: `compat/baseline.toml`; "
        "the listed refusals of (b): `compat/policy_on_differences.toml`. "
        "Logs: `.compat/<setup>.test.log`."
    )
    lines += ["", "| setup | tests run | failed | errors | failing tests |"]
    lines.append("|---|---|---|---|---|")
    for kind, section in baseline.items():
        lines.append(
            f"| baseline `[{kind}]` ({section['measured']}) | {section['tests_run']} | | | "
            f"{len(section.get('failing', {}))} |"
        )
    for name, result in results.items():
        summary = result["summary"]
        lines.append(
            f"| {SETUPS[name]['title']} | {summary['run']} | {summary['failed']} | "
            f"{summary['errors']} | {len(result['outcomes'])} |"
        )
    for name, result in results.items():
        if name in BASELINE_OF:
            continue
        new, fixed, problems = compare(name, result, baseline)
        lines += ["", f"### {SETUPS[name]['title']} vs baseline `[{SETUPS[name]['baseline']}]`"]
        lines += ["", f"Failing here, passing in Odoo alone ({len(new)}):", ""]
        lines += [f"- `{tid}`: {md_escape(result['outcomes'][tid])}" for tid in new] or ["- none"]
        lines += ["", f"Failing in Odoo alone, passing here ({len(fixed)}):", ""]
        lines += [f"- `{tid}`" for tid in fixed] or ["- none"]
        lines += ["", f"Problems for `--check` ({len(problems)}):", ""]
        lines += [f"- {md_escape(p)}" for p in problems] or ["- none"]
    text = "\n".join(lines) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("conf")
    parser.add_argument("--setups", default="a,b")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SOP_HTTP_PORT", 8471)))
    parser.add_argument("--check", action="store_true", help="fail on unlisted differences")
    parser.add_argument("--write-baseline", action="store_true")
    parser.add_argument("--write-differences", action="store_true")
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
            for name in names:
                if SETUPS[name]["mode"] == "install":
                    run_install_mode(conf, name, args.port)
                else:
                    run_existing_mode(conf, name, args.port)
        results = {}
        for name in [n for n in SETUPS if n in names]:
            log = LOG_DIR / f"{name}.test.log"
            if not log.exists():
                raise InfrastructureError(f"{name}: no test log {log}")
            results[name] = parse_log(log)
            if results[name]["summary"] is None:
                raise InfrastructureError(
                    f"{name}: {log} has no final test summary: the run did not complete"
                )
        if args.write_baseline:
            write_baseline(results)
        baseline = load_toml(BASELINE_FILE)
        if args.write_differences and "b" in results:
            failing = baseline.get("existing", {}).get("failing", {})
            write_differences(results["b"], failing)
        report(results, baseline, args.out)
    except InfrastructureError as error:
        print(f"[compat] infrastructure failure: {error}", file=sys.stderr)
        return 2
    if args.check:
        problems = [
            problem
            for name, result in results.items()
            if name not in BASELINE_OF
            for problem in compare(name, result, baseline)[2]
        ]
        for problem in problems:
            print(f"[compat] CHECK FAILED: {problem}", file=sys.stderr)
        if problems:
            return 1
        print("[compat] check passed: no difference from Odoo alone beyond the listed ones")
    return 0


if __name__ == "__main__":
    sys.exit(main())
