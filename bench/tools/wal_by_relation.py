#!/usr/bin/env python3
"""The WAL of a window by relation (table or index), per request, from `pg_waldump` records.
A record's whole length is counted against the first relation it references.
Usage: wal_by_relation.py REQUESTS NAMES < waldump-output
NAMES: a file of `relfilenode|name` lines (pg_class of the database)."""
import re
import sys

requests = max(1, int(sys.argv[1]))
names = {}
for line in open(sys.argv[2]):
    node, _, name = line.strip().partition("|")
    if node:
        names[node] = name
record = re.compile(r"len \(rec/tot\):\s*\d+/\s*(\d+).*?blkref #0: rel \d+/\d+/(\d+)")
totals = {}
for line in sys.stdin:
    found = record.search(line)
    if found:
        name = names.get(found.group(2), "relfilenode " + found.group(2))
        count, size = totals.get(name, (0, 0))
        totals[name] = (count + 1, size + int(found.group(1)))
for name, (count, size) in sorted(totals.items(), key=lambda t: -t[1][1])[:15]:
    print(f"  {name:56s} {count / requests:8.2f} records {size / requests:8.0f} bytes")
