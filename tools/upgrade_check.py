"""Upgrade a database made by every earlier release of sale_order_policy to today's code.

For each release: the release's addons come out of this repository's own history
(`git archive`), a database `sop_up_<version>` is created with them (sale_management,
sale_stock, sale_order_policy and its demo data), seeded with the old code through
`odoo shell` (orders in every approval state, a change request, an exception), measured,
upgraded with `-u sale_order_policy` on today's code, measured again and exercised: a
pending review is decided by its reviewers tier by tier and its order confirmed.

    upgrade_check.py CONF [--only VERSION ...] [--keep]

Exit status 1 if any release fails. Nothing is fetched from the internet.
"""

import argparse
import configparser
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dbtool

ROOT = Path(__file__).resolve().parent.parent
MODULE = "sale_order_policy"
ADDONS = ["sale_order_policy", "sale_order_policy_mrp", "sale_order_policy_expense"]
# (version, commit): every release before this work, oldest first.
RELEASES = [
    ("18.0.1.1.0", "7074e53"),
    ("18.0.1.2.0", "d0271e1"),
    ("18.0.1.3.0", "ac3a21b"),
]
INSTALL = "sale_management,sale_stock,sale_order_policy"
MARK = "UPGRADE_CHECK_JSON:"
BAD_LOG = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ", re.MULTILINE)


class Failure(Exception):
    pass


# ---------------------------------------------------------------------------------------
# Scripts run inside `odoo shell` (old code for SEED, today's code for VERIFY)
# ---------------------------------------------------------------------------------------

SEED = r"""
import json
env = env(context=dict(env.context, tracking_disable=False))
Order = env["sale.order"]
company = env["res.company"].search([("sale_policy_enabled", "=", True)], limit=1)
if not company:
    company = env.company
    company.sale_policy_enabled = True
env = env(context=dict(env.context, allowed_company_ids=company.ids))
Order = env["sale.order"].with_company(company)
seeded = []

def orders(approval, state=None):
    domain = [("company_id", "=", company.id), ("approval_state", "=", approval)]
    if state:
        domain.append(("state", "=", state))
    else:
        domain.append(("state", "in", ("draft", "sent")))
    return Order.search(domain)

def reviewer_of(review):
    users = review.reviewer_user_ids if "reviewer_user_ids" in review._fields else review.user_ids
    return users.filtered(lambda u: u != review.order_id.user_id)[:1] or users[:1]

def new_order():
    template = Order.search([("company_id", "=", company.id), ("order_line", "!=", False)],
                            order="id desc", limit=1)
    order = template.copy({"client_order_ref": "upgrade-check"})
    return order

def submit(order):
    order.with_user(order.user_id or env.user).action_submit_for_review()
    return order

def decide(order, approve):
    for _round in range(10):
        pending = order.policy_review_ids.filtered(lambda r: r.state == "pending")
        if not pending:
            return
        review = pending[:1]
        user = reviewer_of(review)
        if approve:
            review.with_user(user).action_approve("upgrade check")
        else:
            review.with_user(user).action_reject("upgrade check")
            return

if not orders("draft"):
    new_order(); seeded.append("draft")
if not orders("pending"):
    submit(new_order()); seeded.append("pending")
if not orders("approved"):
    decide(submit(new_order()), True); seeded.append("approved")
if not orders("rejected"):
    decide(submit(new_order()), False); seeded.append("rejected")
confirmed = Order.search([("company_id", "=", company.id), ("state", "=", "sale")])
if not confirmed:
    order = submit(new_order()); decide(order, True)
    order.with_user(order.user_id).action_confirm(); seeded.append("confirmed")
    confirmed = order
Change = env["sale.policy.change"]
if not Change.search_count([]):
    order = confirmed[:1]
    line = order.order_line[:1]
    vals = {"order_id": order.id, "reason": "upgrade check"}
    if "customer_confirmation_method" in Change._fields:
        method = Change._fields["customer_confirmation_method"]
        vals["customer_confirmation_method"] = method._description_selection(env)[0][0]
    change = Change.create(vals)
    env["sale.policy.change.line"].create({
        "change_id": change.id, "sale_line_id": line.id, "new_qty": line.product_uom_qty + 1,
        "new_price_unit": line.price_unit, "new_discount": line.discount,
    })
    seeded.append("change request")
    try:
        with env.cr.savepoint():
            change.with_user(order.user_id or env.user).action_submit()
        seeded.append("change request submitted")
    except Exception as error:
        seeded.append(f"change request left in draft ({error})")
Exception_ = env["sale.policy.exception"]
if not Exception_.search_count([]):
    etype = env["sale.policy.exception.type"].search([], limit=1)
    Exception_.create({"order_id": confirmed[:1].id, "type_id": etype.id,
                       "description": "upgrade check"})
    seeded.append("exception")
env.cr.commit()
print("@MARK@" + json.dumps({"company_id": company.id, "seeded": seeded}))
"""

VERIFY = r"""
import json, re
from pathlib import Path
result = {"decisions": 0}
company = env["res.company"].browse(@COMPANY@)
env = env(context=dict(env.context, allowed_company_ids=company.ids))
# Every setting of today's code is on the settings form (stale views would hide some).
arch = env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
wanted = set()
for path in Path("@ROOT@/sale_order_policy/views").glob("res_config_settings*.xml"):
    wanted |= set(re.findall(r'<setting id="([^"]+)"', path.read_text()))
result["missing_settings"] = sorted(s for s in wanted if f'id="{s}"' not in arch)
# ... and in Chinese: the views emptied before the update got their translations back.
if env["res.lang"]._lang_get("zh_CN"):
    Settings = env["res.config.settings"].with_context(lang="zh_CN")
    arch = Settings.get_views([(False, "form")])["views"]["form"]["arch"]
    result["untranslated"] = [term for term in ("订单跟踪", "信用检查") if term not in arch]
env["sale.order"].get_views([(False, "form"), (False, "list"), (False, "search")])
order = env["sale.order"].search(
    [("company_id", "=", company.id), ("approval_state", "=", "pending"),
     ("state", "in", ("draft", "sent"))], order="id", limit=1)
result["order"] = order.name
for _tier in range(10):
    pending = order.policy_review_ids.filtered(lambda r: r.state == "pending")
    if not pending:
        break
    for review in pending:
        if review.state != "pending":  # decided with another step of the same reviewer
            continue
        users = review.reviewer_user_ids.filtered(lambda u: u != order.user_id)
        users = users.sorted(lambda u: u.has_group("base.group_system"))  # a real reviewer first
        user = users.filtered(lambda u: review.with_user(u).can_decide)[:1]
        assert user, f"no reviewer can decide {review.display_name}"
        order.with_user(user).action_approve("approved after the upgrade")
        result["decisions"] += 1
result["approval_state"] = order.approval_state
salesperson = order.user_id or env.user
order.with_user(salesperson).with_company(company).action_confirm()
result["state"] = order.state
# A change request under review before the upgrade: its reviews now point to it.
change = env["sale.policy.change"].search(
    [("company_id", "=", company.id), ("state", "=", "pending")], limit=1)
for _tier in range(10):
    pending = change.review_ids.filtered(lambda r: r.state == "pending")
    if not pending:
        break
    for review in pending:
        if review.state != "pending":  # decided with another step of the same reviewer
            continue
        users = review.reviewer_user_ids.filtered(lambda u: u != change.order_id.user_id)
        users = users.sorted(lambda u: u.has_group("base.group_system"))  # a real reviewer first
        user = users.filtered(lambda u: review.with_user(u).can_decide)[:1]
        assert user, f"no reviewer can decide {review.display_name}"
        change.with_user(user).action_approve("approved after the upgrade")
        result["decisions"] += 1
result["change"] = change.state or "none pending"
env.cr.commit()
print("@MARK@" + json.dumps(result))
"""


# ---------------------------------------------------------------------------------------
# Measures, read with SQL so that they do not depend on either version's code
# ---------------------------------------------------------------------------------------


def columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        (table,),
    )
    return [row[0] for row in cr.fetchall()]


def grouped(cr, table, column):
    if column not in columns(cr, table):
        return {}
    cr.execute(f"SELECT {column}, count(*) FROM {table} GROUP BY 1 ORDER BY 1")  # noqa: S608
    return {str(key): count for key, count in cr.fetchall()}


def measure(conf, dbname, log_columns=None, company_columns=None):
    cnx = dbtool.connect(conf, dbname)
    with cnx, cnx.cursor() as cr:
        log_columns = log_columns or columns(cr, "sale_policy_log")
        company_columns = company_columns or [
            c for c in columns(cr, "res_company") if c.startswith("sale_policy_")
        ]
        cr.execute("SELECT approval_state, state, count(*) FROM sale_order GROUP BY 1, 2")
        orders = {f"{a}/{s}": n for a, s, n in cr.fetchall()}
        existing = set(columns(cr, "sale_policy_log"))
        cols = ", ".join(c if c in existing else "NULL" for c in log_columns)
        cr.execute(f"SELECT id, md5(row({cols})::text) FROM sale_policy_log ORDER BY id")  # noqa: S608
        logs = dict(cr.fetchall())
        existing = set(columns(cr, "res_company"))
        cols = ", ".join(c for c in company_columns if c in existing)
        cr.execute(f"SELECT id, {cols} FROM res_company ORDER BY id")  # noqa: S608
        names = [c for c in company_columns if c in existing]
        settings = {row[0]: dict(zip(names, row[1:], strict=True)) for row in cr.fetchall()}
        aging = {}
        if columns(cr, "sale_policy_aging_period"):
            cr.execute(
                "SELECT company_id, days_to, open_ended, provision_percent "
                "FROM sale_policy_aging_period ORDER BY company_id, open_ended, days_to, id"
            )
            for company_id, *period in cr.fetchall():
                aging.setdefault(company_id, []).append(tuple(period))
        snapshot = {
            "orders": orders,
            "reviews": grouped(cr, "sale_policy_review", "state"),
            "changes": grouped(cr, "sale_policy_change", "state"),
            "exceptions": grouped(cr, "sale_policy_exception", "state"),
            "logs": logs,
            "settings": settings,
            "aging": aging,
        }
    cnx.close()
    return snapshot, log_columns, company_columns


def aging_from_columns(values):
    """18.0.1.3.0 moved the aging limits and provision rates of a company from numbered
    columns to `sale.policy.aging.period` records: the periods the old columns make (an
    empty column means the shipped default)."""
    limits = [0] + [values[f"sale_policy_aging_limit_{n}"] for n in range(1, 5)] + [0]
    rates = [values["sale_policy_provision_current"]] + [
        values[f"sale_policy_provision_{n}"] for n in range(1, 6)
    ]
    defaults = [(0, 0.0), (30, 1.0), (60, 5.0), (90, 10.0), (180, 30.0), (None, 50.0)]
    return [
        (
            default_limit or 0 if limit is None else limit,
            default_limit is None,
            float(default_rate if rate is None else rate),
        )
        for (default_limit, default_rate), limit, rate in zip(defaults, limits, rates, strict=True)
    ]


def compare(before, after):
    problems = []
    for key in ("orders", "reviews", "changes", "exceptions"):
        if before[key] != after[key]:
            problems.append(f"{key} changed: {before[key]} -> {after[key]}")
    missing = set(before["logs"]) - set(after["logs"])
    altered = [i for i, digest in before["logs"].items() if after["logs"].get(i, digest) != digest]
    if missing:
        problems.append(f"log lines lost: {sorted(missing)[:10]}")
    if altered:
        problems.append(f"log lines altered: {altered[:10]}")
    for company_id, values in before["settings"].items():
        now = after["settings"].get(company_id)
        if now is None:
            problems.append(f"company {company_id} lost")
            continue
        changed = {k: (v, now[k]) for k, v in values.items() if k in now and now[k] != v}
        if changed:
            problems.append(f"settings of company {company_id} changed: {changed}")
        gone = sorted(set(values) - set(now))
        if gone and "sale_policy_aging_limit_1" in values and not before["aging"]:
            periods = [(d, o, float(r)) for d, o, r in after["aging"].get(company_id, [])]
            if periods != aging_from_columns(values):
                problems.append(
                    f"aging settings of company {company_id} not carried over: "
                    f"{aging_from_columns(values)} -> {periods}"
                )
            gone = [c for c in gone if "aging_limit" not in c and "provision_" not in c]
        if gone:
            problems.append(f"settings of company {company_id} lost: {gone}")
    return problems


# ---------------------------------------------------------------------------------------
# Running Odoo
# ---------------------------------------------------------------------------------------


def odoo(conf, dbname, *args, logfile, command=(), stdin=None):
    """Run Odoo, its output going to `logfile` as it comes; return (exit code, output)."""
    cmd = [sys.executable, "-m", "odoo", *command, "-c", str(conf), "-d", dbname, *args]
    with open(logfile, "w") as log:
        proc = subprocess.run(
            cmd, input=stdin, stdout=log, stderr=subprocess.STDOUT, text=True, cwd=ROOT
        )
    return proc.returncode, Path(logfile).read_text()


def shell(conf, dbname, script, logfile):
    code, output = odoo(
        conf,
        dbname,
        "--log-level=warn",
        "--no-http",
        command=["shell"],
        stdin=script,
        logfile=logfile,
    )
    found = [line for line in output.splitlines() if line.startswith(MARK)]
    if code or not found:
        raise Failure(f"odoo shell failed (see {logfile}):\n{output[-3000:]}")
    return json.loads(found[-1][len(MARK) :])


def old_addons(commit, target):
    """The release's addons, out of this repository's history (never the internet)."""
    check = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=ROOT, capture_output=True
    )
    if check.returncode:
        raise Failure(
            f"commit {commit} is not in this repository (shallow clone?): "
            f"run `git fetch --unshallow` to test upgrades from it"
        )
    listed = subprocess.run(
        ["git", "ls-tree", "--name-only", commit], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    addons = [addon for addon in ADDONS if addon in listed]
    archive = subprocess.run(
        ["git", "archive", commit, *addons], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return addons


def old_conf(conf, addons_dir, target):
    parser = configparser.ConfigParser()
    parser.read(conf)
    paths = [p for p in parser["options"]["addons_path"].split(",") if Path(p).resolve() != ROOT]
    parser["options"]["addons_path"] = ",".join([*paths, str(addons_dir)])
    with open(target, "w") as handle:
        parser.write(handle)


def check_release(conf, version, commit, workdir, keep):
    dbname = "sop_up_" + version.replace(".", "_")
    steps = {}
    tmp = Path(tempfile.mkdtemp(prefix=f"sop_up_{version}_", dir=workdir))
    try:
        started = time.monotonic()
        addons_dir = tmp / "addons"
        addons_dir.mkdir()
        old_addons(commit, addons_dir)
        conf_old = tmp / "odoo.conf"
        old_conf(conf, addons_dir, conf_old)

        dbtool.drop(conf, dbname)
        code, output = odoo(
            conf_old,
            dbname,
            "-i",
            INSTALL,
            "--stop-after-init",
            "--log-level=warn",
            logfile=workdir / f"{dbname}.install.log",
        )
        if code or BAD_LOG.search(output):
            raise Failure(f"install of {version} failed:\n{output[-3000:]}")
        steps["install"] = time.monotonic() - started

        seed = shell(conf_old, dbname, SEED.replace("@MARK@", MARK), workdir / f"{dbname}.seed.log")
        before, log_columns, company_columns = measure(conf, dbname)
        steps["seed"] = time.monotonic() - started - steps["install"]

        mark = time.monotonic()
        code, output = odoo(
            conf,
            dbname,
            "-u",
            MODULE,
            "--stop-after-init",
            "--log-level=warn",
            logfile=workdir / f"{dbname}.upgrade.log",
        )
        steps["upgrade"] = time.monotonic() - mark
        errors = [m.group(0) for m in BAD_LOG.finditer(output)]
        if code or errors:
            tail = output[-4000:]
            raise Failure(f"upgrade failed (exit {code}, {len(errors)} ERROR/CRITICAL):\n{tail}")
        after, _cols, _cols = measure(conf, dbname, log_columns, company_columns)
        problems = compare(before, after)

        mark = time.monotonic()
        verify = shell(
            conf,
            dbname,
            VERIFY.replace("@MARK@", MARK)
            .replace("@COMPANY@", str(seed["company_id"]))
            .replace("@ROOT@", str(ROOT)),
            workdir / f"{dbname}.verify.log",
        )
        steps["verify"] = time.monotonic() - mark
        final, _cols, _cols = measure(conf, dbname, log_columns, company_columns)
        problems += [
            f"log line {i} lost or altered after the decisions"
            for i, digest in before["logs"].items()
            if final["logs"].get(i) != digest
        ]
        if verify["missing_settings"]:
            problems.append(f"settings not on the form: {verify['missing_settings']}")
        if verify.get("untranslated"):
            problems.append(f"zh_CN settings form lacks {verify['untranslated']}")
        if verify["approval_state"] != "approved" or verify["state"] != "sale":
            problems.append(f"pending order not approved and confirmed: {verify}")
        if verify["change"] == "pending":
            problems.append(f"change request still under review: {verify}")
        if not verify["decisions"]:
            problems.append("no pending review to decide")
        return {
            "version": version,
            "commit": commit,
            "ok": not problems,
            "problems": problems,
            "seeded": seed["seeded"],
            "before": before,
            "verify": verify,
            "steps": steps,
            "wall": time.monotonic() - started,
        }
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def summary(snapshot):
    pending = sum(n for key, n in snapshot["orders"].items() if key.startswith("pending/"))
    confirmed = sum(n for key, n in snapshot["orders"].items() if key.endswith("/sale"))
    return (
        f"orders {sum(snapshot['orders'].values())} (pending {pending}, confirmed {confirmed}), "
        f"reviews {sum(snapshot['reviews'].values())}, log {len(snapshot['logs'])}, "
        f"changes {sum(snapshot['changes'].values())}, "
        f"exceptions {sum(snapshot['exceptions'].values())}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("conf")
    parser.add_argument("--only", nargs="*", help="versions to check (all by default)")
    parser.add_argument("--keep", action="store_true", help="keep the extracted addons")
    args = parser.parse_args()
    conf = str(Path(args.conf).resolve())
    workdir = ROOT / ".upgrade"
    workdir.mkdir(exist_ok=True)
    started = time.monotonic()
    results = []
    for version, commit in RELEASES:
        if args.only and version not in args.only:
            continue
        print(f"== {version} ({commit}) ...", flush=True)
        mark = time.monotonic()
        try:
            result = check_release(conf, version, commit, workdir, args.keep)
        except (Failure, subprocess.CalledProcessError) as error:
            result = {
                "version": version,
                "commit": commit,
                "ok": False,
                "problems": [str(error)],
                "wall": time.monotonic() - mark,
            }
        results.append(result)
        for problem in result["problems"]:
            print(f"   FAIL: {problem}", flush=True)
        if result.get("before"):
            print(f"   before: {summary(result['before'])}")
            print(f"   orders per approval/state: {result['before']['orders']}")
            print(f"   reviews per state: {result['before']['reviews']}")
            print(f"   seeded by the check (not in the demo data): {result['seeded'] or 'nothing'}")
            print(f"   after: {result['verify']}")
        if result.get("steps"):
            steps = ", ".join(f"{k} {v:.0f}s" for k, v in result["steps"].items())
            print(f"   times: {steps}", flush=True)
    print()
    print("| release | commit | result | wall time |")
    print("|---|---|---|---|")
    for result in results:
        status = "ok" if result["ok"] else "FAILED"
        print(f"| {result['version']} | {result['commit']} | {status} | {result['wall']:.0f} s |")
    print(f"\ntotal {time.monotonic() - started:.0f} s; logs in {workdir}")
    sys.exit(0 if results and all(r["ok"] for r in results) else 1)


if __name__ == "__main__":
    main()
