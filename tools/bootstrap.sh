#!/usr/bin/env bash
# Prepares what `make run` and `make test` need: a venv, Odoo 18.0, PostgreSQL,
# wkhtmltopdf with a CJK font for PDF reports and (with --browser) Chromium.
# Idempotent: a second run only checks. Writes .odoo.conf.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV="$ROOT/.venv"
PYTHON=${PYTHON:-python3}
ODOO_SRC=${ODOO_SRC:-/opt/odoo}
ODOO_NIGHTLY_URL=${ODOO_NIGHTLY_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}
PRIVATE_PG="$ROOT/.pgdata"
PRIVATE_PG_PORT=${PRIVATE_PG_PORT:-55432}
WANT_BROWSER=0
[ "${1:-}" = "--browser" ] && WANT_BROWSER=1

log() { printf '[bootstrap] %s\n' "$*" >&2; }

# 1. Virtualenv with the pinned requirements (re-installed only when requirements.txt changes).
if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha"
want=$(sha256sum "$ROOT/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    if ! command -v pg_config >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
        log "installing libpq-dev (psycopg2 builds from source)"
        apt-get install -y -q libpq-dev >/dev/null || true
    fi
    log "installing requirements.txt"
    "$VENV/bin/pip" install -q -r "$ROOT/requirements.txt"
    echo "$want" >"$stamp"
fi

# 2. Odoo 18.0: already importable, else ODOO_SRC, else the official nightly archive.
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
is_odoo18() { [ -f "$1/odoo/release.py" ] && grep -q "^version_info = (18, 0" "$1/odoo/release.py"; }
if "$VENV/bin/python" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 18)' 2>/dev/null; then
    :
elif is_odoo18 "$ODOO_SRC"; then
    log "using Odoo source at $ODOO_SRC"
    echo "$ODOO_SRC" >"$site/odoo-src.pth"
else
    cache="$ROOT/.cache/odoo-nightly"
    if ! is_odoo18 "$cache"; then
        log "downloading $ODOO_NIGHTLY_URL"
        mkdir -p "$cache"
        curl -fsSL "$ODOO_NIGHTLY_URL" | tar -xz -C "$cache" --strip-components=1
    fi
    echo "$cache" >"$site/odoo-src.pth"
fi
odoo_root=$("$VENV/bin/python" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))')
# Nightly/pip layout: every addon under odoo/addons. Git layout: addons/ plus odoo/addons.
if [ -d "$odoo_root/odoo/addons/sale" ]; then
    addons="$odoo_root/odoo/addons"
else
    addons="$odoo_root/addons,$odoo_root/odoo/addons"
fi

# 3. PostgreSQL: the server libpq points to, else a private cluster under the project.
pg_host=${PGHOST:-127.0.0.1}
pg_port=${PGPORT:-5432}
pg_user=${PGUSER:-$(id -un)}
pg_ok() { "$VENV/bin/python" - "$1" "$2" "$3" <<'PY' 2>/dev/null
import sys, psycopg2
psycopg2.connect(host=sys.argv[1], port=sys.argv[2], user=sys.argv[3], dbname="postgres", connect_timeout=3).close()
PY
}
if ! pg_ok "$pg_host" "$pg_port" "$pg_user"; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
    [ -n "$bindir" ] || bindir=$(dirname "$(command -v initdb)")
    run_as=()
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        run_as=(runuser -u postgres --)
    fi
    if [ ! -f "$PRIVATE_PG/PG_VERSION" ]; then
        log "creating a private PostgreSQL cluster in $PRIVATE_PG"
        mkdir -p "$PRIVATE_PG"
        [ "$(id -u)" = 0 ] && chown postgres "$PRIVATE_PG" && chmod o+x "$ROOT"
        "${run_as[@]}" "$bindir/initdb" -D "$PRIVATE_PG" -A trust -U postgres >/dev/null
    fi
    if ! pg_ok "$PRIVATE_PG" "$PRIVATE_PG_PORT" postgres; then
        log "starting the private cluster on port $PRIVATE_PG_PORT"
        "${run_as[@]}" "$bindir/pg_ctl" -D "$PRIVATE_PG" -l "$PRIVATE_PG/server.log" -w \
            -o "-p $PRIVATE_PG_PORT -k $PRIVATE_PG -c listen_addresses=''" start >/dev/null
    fi
    pg_host=$PRIVATE_PG
    pg_port=$PRIVATE_PG_PORT
    if ! pg_ok "$pg_host" "$pg_port" "$pg_user"; then
        "${run_as[@]}" "$bindir/psql" -h "$pg_host" -p "$pg_port" -U postgres -d postgres -q \
            -c "CREATE ROLE \"$pg_user\" SUPERUSER LOGIN" >/dev/null
    fi
fi

# 4. Chromium for the browser tours; a missing browser is an error, never a skipped test.
if [ "$WANT_BROWSER" = 1 ]; then
    if ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
        if command -v apt-get >/dev/null 2>&1; then
            log "installing chromium"
            apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
        fi
    fi
    if ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
        log "ERROR: no Chromium found; the browser tours cannot run"
        exit 1
    fi
fi

# 5. PDF reports: wkhtmltopdf (else Odoo serves reports as HTML) and a CJK font (else the
#    Chinese of a zh_CN PDF prints as boxes). Installed only when missing.
has_cjk_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list ':family=Noto Sans CJK SC' family)" ]; }
pdf_packages=()
command -v wkhtmltopdf >/dev/null 2>&1 || pdf_packages+=(wkhtmltopdf)
has_cjk_font || pdf_packages+=(fonts-noto-cjk)
if [ "${#pdf_packages[@]}" -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${pdf_packages[*]}"
    apt-get install -y -q "${pdf_packages[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${pdf_packages[@]}" >/dev/null; }
fi
if ! command -v wkhtmltopdf >/dev/null 2>&1 || ! has_cjk_font; then
    # The PDF tests need both; `make run` only loses real PDFs.
    [ "$WANT_BROWSER" = 1 ] && { log "ERROR: wkhtmltopdf or the Noto CJK font is missing; PDF reports cannot be tested"; exit 1; }
    log "WARNING: wkhtmltopdf or the Noto CJK font is missing; reports open as HTML or print Chinese as boxes"
fi

cat >"$ROOT/.odoo.conf" <<CONF
[options]
addons_path = $addons,$ROOT
data_dir = $ROOT/.data
db_host = $pg_host
db_port = $pg_port
db_user = $pg_user
db_password = False
admin_passwd = admin
http_interface = 127.0.0.1
max_cron_threads = 1
http_port = ${SOP_HTTP_PORT:-8069}
CONF
log "ready: odoo at $odoo_root, postgres at $pg_host:$pg_port as $pg_user"
