#!/usr/bin/env bash
# Back up CPEC Tracker's database: one pg_dump file in PostgreSQL's custom format.
#
#   scripts/backup.sh                 writes $BACKUP_DIR/cpec-DBNAME-YYYYmmdd-HHMMSS.dump (BACKUP_DIR default: backups/)
#   scripts/backup.sh FILE            writes FILE
#
# The database is DATABASE_URL's (the environment, else .env). The dump is consistent (one
# snapshot, taken while the site keeps running), compressed, holds schema and data with
# ownership and privileges left out (pg_restore applies them to whoever restores), and is
# readable by its owner only (it holds password hashes and sessions). It is checked with
# `pg_restore --list` before the script reports success. Restore with scripts/restore.sh.
set -euo pipefail
source "$(dirname "$0")/_pg.sh"

[ $# -le 1 ] || { echo "usage: $0 [FILE]" >&2; exit 2; }
export_pg_env "$(database_url)"

out=${1:-${BACKUP_DIR:-$ROOT/backups}/cpec-$PGDATABASE-$(date -u +%Y%m%d-%H%M%S).dump}
mkdir -p "$(dirname "$out")"
umask 077
tmp=$(mktemp "$out.partial.XXXXXX")
trap 'rm -f "$tmp"' EXIT

pg_dump=$(pg_bin pg_dump)
say "dumping database $PGDATABASE on ${PGHOST:-local socket} with $pg_dump"
"$pg_dump" --format=custom --compress=6 --no-owner --no-privileges --file="$tmp"
# A dump that pg_restore cannot read is no backup.
listing=$("$(pg_bin pg_restore)" --list "$tmp") || die "the dump is unreadable"
tables=$(grep -c ' TABLE DATA ' <<<"$listing" || true)
mv "$tmp" "$out"
trap - EXIT
say "wrote $out ($(du -h "$out" | cut -f1), $tables tables with data)"
printf '%s\n' "$out"
