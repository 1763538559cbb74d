"""Run every `benchmarks/bench_*.py` against one database and save each one's markdown
output to `benchmarks/results/<name>.md` (`bench_credit.py` -> `credit.md`).

    .venv/bin/python benchmarks/run_all.py --config .odoo.conf [--database sop_bench]

The database is created with the module (no demo data) when the module is not installed
in it. Each script rolls its own data back, so the database is reusable.
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tools"))

import dbtool  # noqa: E402

MODULE = "sale_order_policy"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", default="sop_bench", help="benchmark database")
    parser.add_argument("--only", nargs="*", help="names to run (e.g. credit approval)")
    args = parser.parse_args()
    config = str(Path(args.config).resolve())
    dbtool.ensure_installed(config, args.database, [MODULE])
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if args.only and name not in args.only:
            continue
        print(f"== {script.name}", flush=True)
        # Dead rows of the previous script's rolled-back data would slow the next one.
        dbtool.vacuum_analyze(config, args.database)
        run = subprocess.run(
            [sys.executable, str(script), "-c", config, "-d", args.database],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if run.returncode:
            failed.append(script.name)
            print(run.stdout + run.stderr, file=sys.stderr)
            continue
        (results / f"{name}.md").write_text(run.stdout)
        print(run.stdout, flush=True)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
