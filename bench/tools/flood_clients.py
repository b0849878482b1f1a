#!/usr/bin/env python3
"""Clients for bench/flood.sh, each bound to its own loopback source address and bounded in time.

  slow       CONNECTIONS connections that each send a request head one header line per second (slowloris),
             reopened one second after the server closes or refuses them; prints what happened. With
             --spread N they come from N consecutive addresses starting at SOURCE (a crowd, not one host).
  callbacks  signed `tuition`-scheme callbacks at RATE per second, each on a new connection; prints a JSON
             summary (sent, ok, failed, p50/p99/max latency in ms).
  probes     GET /health at RATE per second, each on a new connection; same summary.
Only loopback addresses are accepted as source and target.
"""
import argparse, asyncio, hashlib, hmac, http.client, json, os, resource, sys, time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callback_load import body_for  # noqa: E402

TARGET = "127.0.0.1"


def loopback(address):
    if not address.startswith("127."):
        raise SystemExit(f"{address} is not a loopback address")
    return address


# ---- slow connections -------------------------------------------------------------------------------------------

async def slow_connection(args, source, stats, deadline):
    while time.time() < deadline:
        writer = None
        try:
            reader, writer = await asyncio.open_connection(TARGET, args.port, local_addr=(source, 0))
            stats["opened"] += 1
            writer.write(b"GET /health HTTP/1.1\r\nHost: flood\r\n")
            await writer.drain()
            line = 0
            while time.time() < deadline:
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=1.0)
                    # The server answered (refusal, 408) or closed (eviction): start over.
                    if data.startswith(b"HTTP/1.1 429"):
                        stats["refused_429"] += 1
                    elif data.startswith(b"HTTP/1.1 503"):
                        stats["refused_503"] += 1
                    elif data.startswith(b"HTTP/1.1 408"):
                        stats["timed_out_408"] += 1
                    else:
                        stats["closed"] += 1
                    break
                except asyncio.TimeoutError:
                    line += 1
                    writer.write(b"X-Slow-%d: %d\r\n" % (line, line))
                    await writer.drain()
        except (ConnectionError, OSError):
            stats["errors"] += 1
        finally:
            if writer is not None:
                writer.close()
        await asyncio.sleep(1.0)


async def slow_main(args):
    stats = {"opened": 0, "refused_429": 0, "refused_503": 0, "timed_out_408": 0, "closed": 0, "errors": 0}
    deadline = time.time() + args.seconds
    tasks = []
    prefix, last = args.source.rsplit(".", 1)
    sources = [f"{prefix}.{int(last) + n}" for n in range(args.spread)]
    for number in range(args.connections):
        tasks.append(asyncio.create_task(slow_connection(args, sources[number % len(sources)], stats, deadline)))
        await asyncio.sleep(0.001)
    await asyncio.gather(*tasks, return_exceptions=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    stats["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    print(json.dumps(stats), flush=True)


# ---- paced streams ----------------------------------------------------------------------------------------------

def paced(args, send):
    """Calls send(index) at args.rate per second for args.seconds; returns the summary."""
    count = int(args.rate * args.seconds)
    results = [None] * count
    start = time.time() + 0.05

    def run(index):
        began = time.perf_counter()
        status = send(index)
        results[index] = (status, (time.perf_counter() - began) * 1000)

    with ThreadPoolExecutor(max_workers=64) as pool:
        for index in range(count):
            delay = start + index / args.rate - time.time()
            if delay > 0:
                time.sleep(delay)
            pool.submit(run, index)
    done = [r for r in results if r is not None]
    latencies = sorted(ms for _, ms in done)
    ok = sum(1 for status, _ in done if status.startswith("2"))
    failures = {}
    for status, _ in done:
        if not status.startswith("2"):
            failures[status] = failures.get(status, 0) + 1

    def percentile(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 1) if latencies else None

    return {"sent": count, "ok": ok, "failed": count - ok, "failures": failures,
            "p50_ms": percentile(0.50), "p99_ms": percentile(0.99), "max_ms": round(latencies[-1], 1) if latencies else None}


def request(args, method, path, body=None, headers=None):
    try:
        connection = http.client.HTTPConnection(TARGET, args.port, timeout=args.timeout, source_address=(args.source, 0))
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        connection.close()
        return str(response.status)
    except Exception as error:  # a failure of any kind is what the bench counts
        return type(error).__name__


def callbacks_main(args):
    codes = [line.strip() for line in open(args.codes) if line.strip()]

    def send(index):
        tid = f"{args.prefix}-{index}"
        body = body_for(tid, args.account, codes[index % len(codes)], 100000)
        t = str(int(time.time()))
        signature = hmac.new(args.secret.encode(), (t + ".").encode() + body, hashlib.sha256).hexdigest()
        return request(args, "POST", "/v1/callbacks/tuition", body,
                       {"Content-Type": "application/json", "Tuition-Signature": f"t={t},v1={signature}"})

    print(json.dumps(paced(args, send)), flush=True)


def probes_main(args):
    print(json.dumps(paced(args, lambda index: request(args, "GET", "/health"))), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["slow", "callbacks", "probes"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--connections", type=int, default=1500)
    parser.add_argument("--spread", type=int, default=1, help="slow: addresses used, from --source on")
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--timeout", type=float, default=5)
    parser.add_argument("--secret")
    parser.add_argument("--account")
    parser.add_argument("--codes")
    parser.add_argument("--prefix", default="FLOOD")
    args = parser.parse_args()
    loopback(args.source)
    if not 1 <= args.spread <= 200 or int(args.source.rsplit(".", 1)[1]) + args.spread > 255:
        raise SystemExit("--spread must keep the addresses within SOURCE's /24")
    if not 0 < args.seconds <= 600:
        raise SystemExit("--seconds must be between 0 and 600")
    if args.mode == "slow":
        asyncio.run(slow_main(args))
    elif args.mode == "callbacks":
        callbacks_main(args)
    else:
        probes_main(args)


if __name__ == "__main__":
    main()
