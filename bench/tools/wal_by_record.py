#!/usr/bin/env python3
"""The WAL of a window by kind of record, per request, from `pg_waldump --stats=record`.
Usage: wal_by_record.py REQUESTS < waldump-output"""
import re
import sys

requests = max(1, int(sys.argv[1]))
share = r"\(\s*[\d.]+\)\s+"
row = re.compile(r"^(\S+)\s+(\d+)\s+" + share + r"(\d+)\s+" + share + r"(\d+)\s+" + share + r"(\d+)")
rows = [m.groups() for m in (row.match(line) for line in sys.stdin) if m]
for kind, count, _, fpi, combined in sorted(rows, key=lambda r: -int(r[4]))[:15]:
    print(f"  {kind:36s} {int(count) / requests:8.2f} records {int(combined) / requests:8.0f} bytes"
          f" ({int(fpi) / requests:.0f} of full pages)")
