#!/usr/bin/env python3
"""Steady load of signed `tuition`-scheme callbacks, for the fault scripts in bench/.

Each thread sends callbacks with unique transaction ids (PREFIX-thread-n) and records every
outcome as a line "id status" (status = HTTP status, or "error" when the connection failed) in
OUT. With --retry FILE it instead re-sends every id of FILE that never got a 2xx until it gets an
HTTP answer (at most `retry_attempts` tries each), and records the new outcomes. Each thread keeps
one connection alive and opens a new one only after a failure, and backs off after a failed send as
a real sender would: a loop of refused connections while the server restarts would otherwise burn
through the client's ephemeral ports (TIME_WAIT) and fail sends that never reached the server. The signature is HMAC-SHA256(secret, t + "." + body), as in docs/callbacks.md.
"""
import argparse, hashlib, hmac, http.client, json, threading, time


def body_for(tid, account, code, amount):
    return json.dumps({
        "transaction_id": tid, "account_number": account, "amount": amount, "direction": "in",
        "booked_at": "2026-09-15T10:21:07+07:00", "memo": f"MBVCB.{tid}.{code} HOC PHI",
        "payer_name": "NGUYEN VAN BINH",
    }, separators=(",", ":")).encode()


retry_attempts = 5
backoff_seconds = 0.05


class Sender:
    """One kept-alive connection, replaced after any failure."""

    def __init__(self, host, port, secret, account, timeout):
        self.host, self.port, self.secret, self.account, self.timeout = host, port, secret, account, timeout
        self.connection = None

    def send(self, tid, code, amount):
        body = body_for(tid, self.account, code, amount)
        t = str(int(time.time()))
        signature = hmac.new(self.secret.encode(), (t + ".").encode() + body, hashlib.sha256).hexdigest()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.connection.request("POST", "/v1/callbacks/tuition", body=body, headers={
                "Content-Type": "application/json", "Tuition-Signature": f"t={t},v1={signature}"})
            response = self.connection.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return str(response.status)
        except Exception:
            self.close()
            time.sleep(backoff_seconds)
            return "error"

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


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
        sender = Sender("127.0.0.1", args.port, args.secret, args.account, 30)
        for tid in pending:
            index = int(tid.rsplit("-", 1)[1])
            for _ in range(retry_attempts):
                status = sender.send(tid, codes[index % len(codes)], 100000)
                record(tid, status)
                if status != "error":
                    break
        sender.close()
        print(f"retried {len(pending)} unacknowledged callbacks")
        return

    deadline = time.time() + args.seconds

    def worker(number):
        sender = Sender("127.0.0.1", args.port, args.secret, args.account, 10)
        n = 0
        while time.time() < deadline:
            tid = f"{args.prefix}-{number}-{n}"
            record(tid, sender.send(tid, codes[n % len(codes)], 100000))
            n += 1
        sender.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
