#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into DATABASE_URL's database.
#
#   createdb -O ROLE cpec_restored                                 # a new, empty database (recommended)
#   DATABASE_URL=postgres://ROLE:PASS@HOST:5432/cpec_restored scripts/restore.sh FILE
#   scripts/restore.sh --force FILE                                # replace a database's contents
#
# All or nothing: pg_restore runs in one transaction and stops at the first error, so a
# failed restore leaves the database as it was. A database that already has tables is
# refused unless --force is given; then the backup's objects are dropped and recreated
# (objects the backup does not have, e.g. from a later migration, are left in place:
# restore into a new database when in doubt). Objects are owned by the connecting role.
# Statistics are refreshed (ANALYZE) afterwards. Stop the site (or point it elsewhere)
# while restoring over its live database.
set -euo pipefail
source "$(dirname "$0")/_pg.sh"

force=0
args=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "usage: $0 [--force] FILE" >&2; exit 2 ;;
    *) args+=("$arg") ;;
  esac
done
[ ${#args[@]} -eq 1 ] || { echo "usage: $0 [--force] FILE" >&2; exit 2; }
file=${args[0]}
[ -r "$file" ] || die "cannot read $file"
export_pg_env "$(database_url)"

pg_restore=$(pg_bin pg_restore)
"$pg_restore" --list "$file" >/dev/null 2>&1 || die "$file is not a pg_dump custom-format backup"

tables=$(psql -X -A -t -v ON_ERROR_STOP=1 -c "
  SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg_toast%'") || die "cannot connect to database $PGDATABASE"
options=(--no-owner --no-privileges --single-transaction --exit-on-error)
if [ "$tables" -gt 0 ]; then
  [ "$force" -eq 1 ] || die "database $PGDATABASE is not empty ($tables tables): refusing to overwrite it.
Restore into a new database (createdb, then DATABASE_URL=... $0 $file), or pass --force to replace its contents."
  say "database $PGDATABASE has $tables tables: --force given, replacing the backup's objects"
  options+=(--clean --if-exists)
fi

say "restoring $file into $PGDATABASE on ${PGHOST:-local socket} with $pg_restore"
"$pg_restore" "${options[@]}" --dbname="$PGDATABASE" "$file"
# Fresh planner statistics (pg_restore brings none); the shared catalogs are not ours to analyze.
psql -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages TO error" -c "ANALYZE"
say "restored $file into $PGDATABASE"
