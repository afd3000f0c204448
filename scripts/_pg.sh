# Shared by scripts/backup.sh and scripts/restore.sh (sourced, not run).
#
# Reads DATABASE_URL as the site does (the environment first, else .env beside manage.py),
# exports it as libpq's PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE (so the password never
# appears on a command line), and picks the PostgreSQL client programs of the server's major
# version (/usr/lib/postgresql/N/bin on Debian) when they are installed, else those on PATH.

say() { printf '\033[1m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { printf '\033[1;31m[%s] %s\033[0m\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}

database_url() {
  if [ -n "${DATABASE_URL:-}" ]; then
    printf '%s' "$DATABASE_URL"
  elif [ -f "$ROOT/.env" ]; then
    sed -n 's/^[[:space:]]*DATABASE_URL[[:space:]]*=[[:space:]]*//p' "$ROOT/.env" | tail -n 1 | sed "s/^[\"']//; s/[\"']\$//"
  fi
}

# export_pg_env URL: libpq variables from a postgres:// URL (the forms django-environ reads).
export_pg_env() {
  local url=$1 vars
  [ -n "$url" ] || die "DATABASE_URL is not set (in the environment or .env)."
  vars=$("$PYTHON" - "$url" <<'PY'
import shlex, sys
from urllib.parse import parse_qs, unquote, urlsplit

url = urlsplit(sys.argv[1])
if url.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
    sys.exit(f"DATABASE_URL must be a postgres:// URL, not {url.scheme}://")
name = unquote(url.path.lstrip("/"))
if not name:
    sys.exit("DATABASE_URL names no database")
env = {
    "PGHOST": unquote(url.hostname or ""),
    "PGPORT": str(url.port or ""),
    "PGUSER": unquote(url.username or ""),
    "PGPASSWORD": unquote(url.password or ""),
    "PGDATABASE": name,
}
for key, values in parse_qs(url.query).items():
    if key == "sslmode":
        env["PGSSLMODE"] = values[-1]
for key, value in env.items():
    print(f"export {key}={shlex.quote(value)}" if value else f"unset {key}")
PY
) || die "cannot read DATABASE_URL"
  eval "$vars"
}

# pg_bin PROGRAM: the client program matching the server's major version, when installed.
pg_bin() {
  local major
  major=$(psql -X -A -t -c "SHOW server_version_num" 2>/dev/null | cut -c1-2)
  if [ -n "$major" ] && [ -x "/usr/lib/postgresql/$major/bin/$1" ]; then
    printf '%s' "/usr/lib/postgresql/$major/bin/$1"
  else
    command -v "$1" || die "$1 not found: install the PostgreSQL client (apt-get install postgresql-client)."
  fi
}
