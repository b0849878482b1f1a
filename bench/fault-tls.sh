#!/usr/bin/env bash
# TLS faults against `tuition serve --tls-cert --tls-key --tls-client-ca`: plain HTTP to the TLS
# port, no/wrong/expired client certificate on the callback routes, TLS 1.1, a slow handshake —
# all refused cleanly — while `openssl s_client` and `curl` succeed with the right certificates.
source "$(dirname "$0")/lib.sh"
PORT="${PORT:-18743}"
CERTS=$(mktemp -d /tmp/tuition-fault-tls.XXXXXX)
"$BIN" migrate >/dev/null
cd "$CERTS"
ssl() { openssl "$@" >/dev/null 2>&1; }
ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=tuition-test-ca -keyout ca.key -out ca.pem
ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=other-ca -keyout other.key -out other.pem
ssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost -keyout server.key -out server.csr
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
ssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile server.ext -out server.pem
printf 'extendedKeyUsage=clientAuth\n' > client.ext
for name in bank stranger late; do ssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" -keyout $name.key -out $name.csr; done
ssl x509 -req -in bank.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile client.ext -out bank.pem
ssl x509 -req -in stranger.csr -CA other.pem -CAkey other.key -CAcreateserial -days 30 -extfile client.ext -out stranger.pem
ssl x509 -req -in late.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days -1 -extfile client.ext -out late.pem
cd - >/dev/null
"$BIN" serve --port "$PORT" --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" --tls-client-ca "$CERTS/ca.pem" \
    >/dev/null 2>"$CERTS/server.log" & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$CERTS"; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fs --cacert "$CERTS/ca.pem" "https://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
failures=0
check() { # description, expected, actual
    if [ "$2" = "$3" ]; then echo "  ok    $1: $3"; else echo "  FAIL  $1: expected $2, got $3"; failures=$((failures + 1)); fi
}
callback() { curl -s -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.pem" -X POST -H 'Content-Type: application/json' \
    --data '{}' "$@" "https://127.0.0.1:$PORT/v1/callbacks/tuition" || true; }
echo "bench/fault-tls.sh"
check "curl GET /health over TLS" 200 "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.pem" "https://127.0.0.1:$PORT/health")"
check "openssl s_client verifies the chain" "0 (ok)" "$(echo | openssl s_client -connect 127.0.0.1:$PORT -CAfile "$CERTS/ca.pem" 2>/dev/null | awk -F': ' '/Verify return code/ {print $2; exit}')"
check "callback with the bank's certificate reaches the ingest (its empty body is malformed)" 400 "$(callback --cert "$CERTS/bank.pem" --key "$CERTS/bank.key")"
check "callback without a client certificate" 403 "$(callback)"
check "callback with a certificate of another CA" 403 "$(callback --cert "$CERTS/stranger.pem" --key "$CERTS/stranger.key")"
check "callback with an expired certificate" 403 "$(callback --cert "$CERTS/late.pem" --key "$CERTS/late.key")"
plain=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/health" || true)
check "plain HTTP to the TLS port gets no HTTP answer" 000 "$plain"
old=$(echo | openssl s_client -connect 127.0.0.1:$PORT -tls1_1 2>&1 | grep -c "Cipher is (NONE)\|alert\|no protocols available\|handshake failure" || true)
check "TLS 1.1 handshake refused" yes "$([ "$old" -gt 0 ] && echo yes || echo no)"
started=$(date +%s)
python3 - "$PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(30)
try:
    closed = s.recv(1) == b""
except Exception:
    closed = True
PY
waited=$(( $(date +%s) - started ))
check "a silent client is closed by the handshake deadline (10 s)" yes "$([ "$waited" -ge 9 ] && [ "$waited" -le 15 ] && echo yes || echo "no (${waited}s)")"
check "the server still serves afterwards" 200 "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.pem" "https://127.0.0.1:$PORT/health")"
[ "$failures" = 0 ] && echo "RESULT: pass" || { echo "RESULT: FAIL ($failures)"; exit 1; }
