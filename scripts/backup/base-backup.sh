#!/bin/sh
# A base backup of the whole cluster (docs/operations.md § Backups), verified against its manifest:
#   scripts/backup/base-backup.sh 'postgres://backup@db:5432/postgres' /backups/base
# Writes /backups/base/<UTC time>/ (plain format, WAL to reach consistency included) and prints its path.
# With the WAL archive (archive-wal.sh) it is the starting point of a point-in-time restore (restore.sh).
set -eu
url=$1
root=$2
bin=${PG_BIN:-$(pg_config --bindir)}
target="$root/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$target"
"$bin/pg_basebackup" -d "$url" -D "$target" -X stream -c fast --manifest-checksums=SHA256 --label "gov-review $(date -u +%FT%TZ)"
"$bin/pg_verifybackup" -q "$target"
echo "$target"
