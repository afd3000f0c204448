#!/usr/bin/env bash
# Set up this checkout for running or testing CPEC Tracker. Safe to run again: each
# step checks first and changes nothing that is already in place.
#
#   scripts/setup.sh            virtualenv + packages, .env, PostgreSQL role and database
#   scripts/setup.sh --browser  the same, plus Debian's Chromium for the browser tests
#
# PostgreSQL: when DATABASE_URL is set in the environment it is used as it is. Otherwise
# a local server is found (or started, or on Debian/Ubuntu installed) and a role with a
# password and CREATEDB plus a database are provisioned for the project; the URL goes to
# .env. The server always runs as the postgres user, never as root, and nothing outside
# this checkout changes permissions.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-python3.11}
WANT_BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --browser) WANT_BROWSER=1 ;;
    *) echo "usage: $0 [--browser]" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }
random_hex() { "$PYTHON" -c "import secrets; print(secrets.token_hex($1))"; }

apt_updated=0
apt_install() {
  is_root || die "Needs the Debian package(s) $*: run 'sudo apt-get install -y $*' and try again."
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --------------------------------------------------------------- python and packages
ensure_python() {
  command -v "$PYTHON" >/dev/null || die "Python 3.11 is needed ($PYTHON not found). Set PYTHON=/path/to/python3.11."
  if [ ! -x .venv/bin/python ]; then
    say "creating virtualenv .venv"
    "$PYTHON" -m venv .venv
  fi
  local stamp=.venv/.requirements.sha256 want
  want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing pinned packages (requirements-dev.txt)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
    echo "$want" >"$stamp"
  fi
}

# ----------------------------------------------------------------------------- .env
env_get() { [ -f .env ] && sed -n "s/^$1=//p" .env | tail -n 1; }
env_ensure() {  # env_ensure KEY VALUE: add KEY to .env unless it is there already
  if [ -z "$(env_get "$1")" ]; then
    echo "$1=$2" >>.env
  fi
}
ensure_env_file() {
  if [ ! -f .env ]; then
    say "writing .env (local settings and secrets; never committed)"
    umask 077
    {
      echo "# Written by scripts/setup.sh for this machine. See .env.example for every variable."
      echo "DEBUG=false"
      echo "HTTPS=false"
      echo "ALLOWED_HOSTS=localhost,127.0.0.1"
    } >.env
  fi
  env_ensure SECRET_KEY "$(random_hex 32)"
  env_ensure DEMO_ADMIN_PASSWORD "admin-$(random_hex 6)"
  env_ensure DEMO_EDITOR_PASSWORD "editor-$(random_hex 6)"
  env_ensure DEMO_VIEWER_PASSWORD "viewer-$(random_hex 6)"
}

# ------------------------------------------------------------------------ PostgreSQL
# One role and database per checkout (named after its path), so two clones on one
# machine (a working copy and CI's fresh clone, say) never share or reset each other's.
CHECKOUT_ID=$(printf '%s' "$ROOT" | sha1sum | cut -c1-8)
DB_NAME=cpec_tracker_$CHECKOUT_ID
DB_ROLE=cpec_$CHECKOUT_ID

pg_cluster_line() {  # "version name port status" of the newest cluster, or nothing
  pg_lsclusters --no-header 2>/dev/null | awk '{print $1, $2, $3, $4}' | sort -V | tail -n 1
}

ensure_postgres_server() {
  if ! command -v pg_lsclusters >/dev/null; then
    if command -v apt-get >/dev/null; then
      apt_install postgresql
    else
      die "PostgreSQL is not installed and this is not a Debian/Ubuntu machine. Install PostgreSQL 15+, or set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DBNAME to a database you can use (the role needs CREATEDB for the tests)."
    fi
  fi
  local line
  line=$(pg_cluster_line)
  if [ -z "$line" ]; then
    is_root || die "PostgreSQL has no cluster. Run 'sudo pg_createcluster --start <version> main', or set DATABASE_URL."
    local ver
    ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    say "creating PostgreSQL $ver cluster 'main'"
    pg_createcluster "$ver" main --start >/dev/null
    line=$(pg_cluster_line)
  fi
  read -r PG_VERSION PG_CLUSTER PG_PORT PG_STATUS <<<"$line"
  if [ "$PG_STATUS" != "online" ]; then
    is_root || die "PostgreSQL $PG_VERSION/$PG_CLUSTER is stopped. Start it with 'sudo pg_ctlcluster $PG_VERSION $PG_CLUSTER start', or set DATABASE_URL."
    say "starting PostgreSQL $PG_VERSION/$PG_CLUSTER (it runs as the postgres user)"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && return 0
    sleep 1
  done
  die "PostgreSQL did not accept connections on 127.0.0.1:$PG_PORT within 30 s (see /var/log/postgresql/)."
}

as_postgres() {  # run psql as the postgres superuser over the local socket
  if is_root; then
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@")
  elif [ "$(id -un)" = postgres ]; then
    psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"
  else
    die "Provisioning the database needs the postgres superuser. Run this script as root once, or set DATABASE_URL."
  fi
}

ensure_database() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "using DATABASE_URL from the environment"
    return
  fi
  ensure_postgres_server
  local password url
  url=$(env_get DATABASE_URL)
  password=$(printf '%s' "$url" | sed -n "s|^postgres://$DB_ROLE:\([^@]*\)@.*|\1|p")
  [ -n "$password" ] || password=$(random_hex 16)
  as_postgres -d postgres <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$DB_ROLE', '$password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_ROLE') \gexec
ALTER ROLE $DB_ROLE WITH LOGIN CREATEDB PASSWORD '$password';
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_ROLE')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
  url="postgres://$DB_ROLE:$password@127.0.0.1:$PG_PORT/$DB_NAME"
  if [ "$(env_get DATABASE_URL)" != "$url" ]; then
    sed -i '/^DATABASE_URL=/d' .env
    echo "DATABASE_URL=$url" >>.env
  fi
  say "PostgreSQL $PG_VERSION ready: database $DB_NAME, role $DB_ROLE on 127.0.0.1:$PG_PORT"
}

# --------------------------------------------------------------------------- browser
ensure_browser() {
  if [ ! -x /usr/bin/chromium ]; then
    command -v apt-get >/dev/null || die "The browser tests need Chromium at /usr/bin/chromium."
    apt_install chromium
  fi
}

# ---------------------------------------------------------------------- translations
# The Urdu catalogue (locale/ur/LC_MESSAGES/django.po) is compiled here, never committed
# compiled: msgfmt (Debian's gettext) writes django.mo next to it.
ensure_translations() {
  if ! command -v msgfmt >/dev/null; then
    command -v apt-get >/dev/null || die "Compiling the Urdu translation needs GNU gettext (msgfmt)."
    apt_install gettext
  fi
  say "compiling translations (locale/)"
  (cd "$ROOT" && .venv/bin/python manage.py compilemessages --locale ur --verbosity 0 --ignore '.venv/*')
}

ensure_python
ensure_env_file
ensure_database
# After the database: manage.py reads DATABASE_URL from .env, which ensure_database writes.
ensure_translations
if [ "$WANT_BROWSER" -eq 1 ]; then
  ensure_browser
fi
say "done ($ROOT)"
