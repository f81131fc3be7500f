#!/bin/sh
# Point-in-time restore (docs/operations.md § Restoring): a new data directory from a base backup, replaying the
# archived WAL up to a target, then promoted to a primary of its own:
#   scripts/backup/restore.sh /backups/base/20261207T101500Z /backups/wal /var/lib/postgresql/restored 'time:2026-12-07 10:42:00+08'
#   scripts/backup/restore.sh … 'name:before-import'      (a point made with SELECT pg_create_restore_point('before-import'))
# Start PostgreSQL on the new directory; it recovers, stops at the target and opens for writing on a new timeline.
set -eu
base=$1
archive=$2
data=$3
target=$4
if [ -e "$data" ] && [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
  echo "restore: $data is not empty" >&2
  exit 1
fi
mkdir -p "$data"
cp -a "$base/." "$data/"
chmod 700 "$data"
rm -f "$data/postmaster.pid" "$data/backup_manifest"
case $target in
  time:*) line="recovery_target_time = '${target#time:}'" ;;
  name:*) line="recovery_target_name = '${target#name:}'" ;;
  *) echo "restore: the target is time:<timestamp with zone> or name:<restore point>" >&2; exit 1 ;;
esac
cat >> "$data/postgresql.auto.conf" <<CONF
# Point-in-time restore ($(date -u +%FT%TZ))
restore_command = 'cp $archive/%f %p'
$line
recovery_target_action = 'promote'
CONF
touch "$data/recovery.signal"
