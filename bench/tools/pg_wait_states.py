#!/usr/bin/env python3
"""What the application's database sessions are doing, sampled from pg_stat_activity every 20 ms or so
(one psql session) for SECONDS: the average number of sessions in each state (on a CPU or waiting
for one, waiting for the WAL flush, for a row lock, for the client — the server — inside or outside a
transaction) and by the statement they are running or last ran. A batch's chain of round trips and
its commit show here as waits, which the CPU profiles do not show (docs/callbacks.md §6, eighteenth
round).
Usage: pg_wait_states.py SECONDS ROLE   (psql's connection from the environment: PGHOST, PGUSER, ...)"""
import collections
import os
import subprocess
import sys
import time

seconds = float(sys.argv[1])
role = sys.argv[2].replace("'", "")
QUERY = f"""SELECT coalesce(wait_event_type || ':' || wait_event,
                            CASE WHEN state = 'active' THEN 'on a CPU (or waiting for one)' ELSE 'idle' END),
                   state, translate(left(query, 64), E'\\n\\r\\t', '   ')
            FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND usename = '{role}';"""
END = "SELECT '-- end of sample --';"

psql = subprocess.Popen(["psql", "-XAt", "-F", " | ", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, text=True, bufsize=1)
# The sampler's own backend, whose CPU the caller counts with the database's (it exits before the
# window's last count, among "postmaster+exited" in bench/callbacks-where.sh): printed at the end.
psql.stdin.write("SELECT pg_backend_pid();\n")
psql.stdin.flush()
backend = int(psql.stdout.readline())
by_state, by_statement = collections.Counter(), collections.Counter()
samples = 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    psql.stdin.write(QUERY + "\n" + END + "\n")
    psql.stdin.flush()
    while True:
        line = psql.stdout.readline()
        if not line:
            sys.exit("pg_wait_states: psql ended (its error above)")
        line = line.rstrip("\n")
        if line == "-- end of sample --":
            break
        wait, state, statement = (line.split(" | ", 2) + ["", ""])[:3]
        statement = " ".join(statement.split())[:48]
        by_state[f"{wait} ({state})"] += 1
        by_statement[f"{wait:<30} {state:<20} {statement}"] += 1
    samples += 1
    # A pause between samples: each costs its session ~0.5 ms of CPU, which the machine under test pays.
    time.sleep(0.02)
with open(f"/proc/{backend}/stat") as stat:
    fields = stat.read().rsplit(")", 1)[1].split()
sampler_ms = (int(fields[11]) + int(fields[12])) * 1000 // os.sysconf("SC_CLK_TCK")
psql.stdin.close()
psql.wait()
if samples == 0:
    sys.exit("pg_wait_states: no sample taken")
print(f"the application's database sessions, average number in each state ({samples} samples; the sampler's own"
      f" session used {sampler_ms} ms of CPU):")
for key, count in by_state.most_common(12):
    print(f"  {count / samples:6.3f}  {key}")
print("  by statement (running, or last run when idle):")
for key, count in by_statement.most_common(18):
    print(f"  {count / samples:6.3f}  {key}")
