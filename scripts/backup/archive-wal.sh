#!/bin/sh
# PostgreSQL's archive_command for continuous WAL archiving (docs/operations.md § Backups):
#   archive_command = '/opt/gov-review/scripts/backup/archive-wal.sh /backups/wal %p %f'
# Copies one finished WAL segment into the archive, flushed to disk before it counts as archived. A segment
# already there with the same bytes is success (PostgreSQL may ask again after a crash); with other bytes it is
# an error, so an archive is never overwritten by another cluster's WAL.
set -eu
archive=$1
source=$2
name=$3
target="$archive/$name"
if [ -f "$target" ]; then
  if cmp -s "$source" "$target"; then exit 0; fi
  echo "archive-wal: $target already exists with other content" >&2
  exit 1
fi
cp "$source" "$target.partial"
sync "$target.partial"
mv "$target.partial" "$target"
sync "$archive"
