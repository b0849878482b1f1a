#!/usr/bin/env python3
"""Splits the postgres processes' samples of a `perf record -g` file by what the backend was doing
(bench/callbacks-where.sh): planning, executor start / run (with triggers) / end, parse, bind,
transaction begin and commit (WAL flush), the client protocol (socket reads and writes, waiting),
autovacuum, and the rest. A sample counts for the first phase found on its stack, in the order
below (planning inside a bind is planning; a trigger's statement inside the executor is the executor).

usage: pg_cpu_split.py PERF_DATA [PIDS]   (PIDS: comma-separated, the cluster's processes: a
whole-system profile also holds other clusters' postgres processes on a shared machine)
"""
import collections
import subprocess
import sys

PHASES = [
    ("planning", {"pg_plan_queries", "standard_planner", "planner", "BuildCachedPlan", "pg_plan_query"}),
    ("plan cache revalidation, locks", {"RevalidateCachedQuery", "AcquireExecutorLocks", "AcquirePlannerLocks"}),
    ("executor start (plan set-up)", {"standard_ExecutorStart", "ExecutorStart", "PortalStart"}),
    ("executor run + triggers", {"standard_ExecutorRun", "standard_ExecutorFinish", "ExecutorRun", "ExecutorFinish"}),
    ("executor end, portal drop", {"standard_ExecutorEnd", "ExecutorEnd", "PortalDrop", "PortalCleanup"}),
    ("parse, analyze", {"pg_parse_query", "parse_analyze_fixedparams", "parse_analyze_varparams", "pg_analyze_and_rewrite_fixedparams",
                        "pg_analyze_and_rewrite_varparams", "exec_parse_message", "raw_parser"}),
    ("commit (incl. WAL flush)", {"CommitTransactionCommand", "CommitTransaction", "XLogFlush"}),
    ("begin", {"StartTransactionCommand", "StartTransaction"}),
    ("bind (parameters)", {"exec_bind_message"}),
    ("utility (SET, BEGIN text)", {"standard_ProcessUtility", "ProcessUtility"}),
    ("statistics (pgstat)", {"pgstat_report_stat", "pgstat_flush_pending_entries"}),
    ("client protocol (socket, wait)", {"pq_getbyte", "pq_getmessage", "secure_read", "secure_write", "pq_flush", "internal_flush",
                                         "WaitEventSetWait", "ReadCommand", "SocketBackend", "pq_getbytes", "socket_flush"}),
    # Every backend's stack starts in PostmasterMain/BackendStartup: only set-up functions count here.
    ("backend start-up (new connection)", {"InitPostgres", "InitProcess", "BackendInitialize"}),
    ("autovacuum, analyze", {"AutoVacWorkerMain", "do_autovacuum", "vacuum", "do_analyze_rel"}),
]


def main(path, pids=None):
    selection = ["--pid", pids] if pids else ["--comms", "postgres"]
    script = subprocess.run(["perf", "script", "-i", path, *selection, "-F", "comm,ip,sym"],
                            capture_output=True, text=True, errors="replace").stdout
    counts = collections.Counter()
    others = collections.Counter()
    for sample in script.split("\n\n"):
        lines = [line.strip() for line in sample.strip().splitlines()]
        if not lines:
            continue
        symbols = [line.split(None, 1)[1].split("+")[0] if len(line.split(None, 1)) > 1 else "?" for line in lines[1:]]
        stack = set(symbols)
        phase = next((name for name, functions in PHASES if stack & functions), None)
        if phase is None:
            phase = "other"
            others[symbols[0] if symbols else "?"] += 1
        counts[phase] += 1
    total = sum(counts.values())
    print(f"postgres samples: {total}")
    for name, count in counts.most_common():
        print(f"  {name:34s} {100 * count / max(1, total):5.1f} %")
    print("  other, top leaf symbols: " + ", ".join(f"{sym} {n}" for sym, n in others.most_common(8)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
