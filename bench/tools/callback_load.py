#!/usr/bin/env python3
"""Steady load of signed `tuition`-scheme callbacks, for the fault scripts in bench/.

Each thread sends callbacks with unique transaction ids (PREFIX-thread-n) and records every
outcome as a line "id status" (status = HTTP status, or "error" when the connection failed) in
OUT. With --retry FILE it instead re-sends, once each, every id of FILE that never got a 2xx, and
records the new outcomes. The signature is HMAC-SHA256(secret, t + "." + body), as in docs/callbacks.md.
"""
import argparse, hashlib, hmac, http.client, json, threading, time


def body_for(tid, account, code, amount):
    return json.dumps({
        "transaction_id": tid, "account_number": account, "amount": amount, "direction": "in",
        "booked_at": "2026-09-15T10:21:07+07:00", "memo": f"MBVCB.{tid}.{code} HOC PHI",
        "payer_name": "NGUYEN VAN BINH",
    }, separators=(",", ":")).encode()


def send(host, port, secret, tid, account, code, amount, timeout):
    body = body_for(tid, account, code, amount)
    t = str(int(time.time()))
    signature = hmac.new(secret.encode(), (t + ".").encode() + body, hashlib.sha256).hexdigest()
    try:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.request("POST", "/v1/callbacks/tuition", body=body, headers={
            "Content-Type": "application/json", "Tuition-Signature": f"t={t},v1={signature}"})
        status = connection.getresponse().status
        connection.close()
        return str(status)
    except Exception:
        return "error"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--codes", required=True, help="file with one payment code per line")
    parser.add_argument("--prefix", default="LOAD")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--out", required=True)
    parser.add_argument("--retry", help="re-send the ids of this log that never got a 2xx")
    args = parser.parse_args()
    codes = [line.strip() for line in open(args.codes) if line.strip()]
    lock = threading.Lock()
    out = open(args.out, "a")

    def record(tid, status):
        with lock:
            out.write(f"{tid} {status}\n")
            out.flush()

    if args.retry:
        outcomes = {}
        for line in open(args.retry):
            tid, status = line.split()
            outcomes.setdefault(tid, []).append(status)
        pending = [tid for tid, statuses in outcomes.items() if not any(s.startswith("2") for s in statuses)]
        for tid in pending:
            index = int(tid.rsplit("-", 1)[1])
            record(tid, send("127.0.0.1", args.port, args.secret, tid, args.account, codes[index % len(codes)], 100000, 30))
        print(f"retried {len(pending)} unacknowledged callbacks")
        return

    deadline = time.time() + args.seconds

    def worker(number):
        n = 0
        while time.time() < deadline:
            tid = f"{args.prefix}-{number}-{n}"
            record(tid, send("127.0.0.1", args.port, args.secret, tid, args.account, codes[n % len(codes)], 100000, 10))
            n += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
