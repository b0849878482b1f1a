#!/usr/bin/env python3
"""Autovacuum's CPU per request by table and kind of run, from the cluster's log lines
(log_autovacuum_min_duration = 0; PostgreSQL prints each run's CPU to 10 ms).
Usage: autovacuum_cpu.py REQUESTS < log-excerpt"""
import re
import sys

requests = max(1, int(sys.argv[1]))
runs = {}
current = None
for line in sys.stdin:
    started = re.search(r'automatic (vacuum|analyze) of table "[^.]+\.[^.]+\.([^"]+)"', line)
    if started:
        current = (started.group(2), started.group(1))
        continue
    usage = re.search(r"CPU: user: ([\d.]+) s, system: ([\d.]+) s", line)
    if usage and current:
        count, cpu = runs.get(current, (0, 0.0))
        runs[current] = (count + 1, cpu + float(usage.group(1)) + float(usage.group(2)))
        current = None
for (table, kind), (count, cpu) in sorted(runs.items(), key=lambda r: -r[1][1])[:12]:
    print(f"  {table:28s} {kind:8s} {count:4d} runs {cpu * 1e6 / requests:8.1f}")
total_runs = sum(count for count, _ in runs.values())
total_cpu = sum(cpu for _, cpu in runs.values())
print(f"  {'total':28s} {'':8s} {total_runs:4d} runs {total_cpu * 1e6 / requests:8.1f}")
