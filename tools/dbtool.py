"""Database helpers for the Makefile: `installed CONF DB MODULE`, `drop CONF DB`,
`check-demo CONF DB`; `ensure_installed` and `vacuum_analyze` for
the benchmarks."""

import configparser
import subprocess
import sys
from pathlib import Path

import psycopg2


def connect(conf, dbname):
    parser = configparser.ConfigParser()
    parser.read(conf)
    opts = parser["options"]
    return psycopg2.connect(
        host=opts.get("db_host"),
        port=opts.get("db_port"),
        user=opts.get("db_user"),
        dbname=dbname,
    )


def installed(conf, dbname, module):
    try:
        cnx = connect(conf, dbname)
    except psycopg2.OperationalError:
        return False
    with cnx, cnx.cursor() as cr:
        try:
            cr.execute("SELECT state FROM ir_module_module WHERE name = %s", (module,))
        except psycopg2.Error:
            return False
        row = cr.fetchone()
    cnx.close()
    return bool(row and row[0] == "installed")


def ensure_installed(conf, dbname, modules):
    """Create `dbname` with `modules` (no demo data) unless they are installed already."""
    if all(installed(conf, dbname, module) for module in modules):
        return
    print(f"Creating {dbname} with {', '.join(modules)}...", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-c",
            str(Path(conf).resolve()),
            "-d",
            dbname,
            "-i",
            ",".join(modules),
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )


def vacuum_analyze(conf, dbname):
    """Benchmarks roll their data back, which leaves dead rows behind: clean them and
    refresh the planner statistics, so that each run starts from the same state."""
    cnx = connect(conf, dbname)
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute("VACUUM ANALYZE")
    cnx.close()


def demo_failures(conf, dbname):
    """Demo records Odoo could not load (it logs them and goes on: make them fatal)."""
    cnx = connect(conf, dbname)
    with cnx, cnx.cursor() as cr:
        cr.execute(
            "SELECT m.name, f.error FROM ir_demo_failure f "
            "JOIN ir_module_module m ON m.id = f.module_id"
        )
        rows = cr.fetchall()
    cnx.close()
    return rows


def drop(conf, dbname):
    cnx = connect(conf, "postgres")
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (dbname,),
        )
        cr.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
    cnx.close()


if __name__ == "__main__":
    command, conf, dbname, *rest = sys.argv[1:]
    if command == "installed":
        sys.exit(0 if installed(conf, dbname, rest[0]) else 1)
    elif command == "drop":
        drop(conf, dbname)
    elif command == "check-demo":
        failures = demo_failures(conf, dbname)
        for module, error in failures:
            print(f"demo data of {module} failed to load: {error}", file=sys.stderr)
        sys.exit(1 if failures else 0)
    else:
        sys.exit(f"unknown command {command}")
