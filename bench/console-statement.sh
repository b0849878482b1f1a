#!/usr/bin/env bash
# The console's statement preview beside the JSON API's dry run of the same file, in the same run on the same server:
# both run StatementImporter as a dry run; the console also reads the multipart form, parses the file a second
# time for the lines it shows, and keeps the bytes for the confirmation (console_uploads). Prints the
# median of REPEAT uploads of a LINES-line MT940 file for each and the ratio console / API.
# Target: the preview costs at most 2× the API's dry run (the second parse and the stored copy are the extra).
source "$(dirname "$0")/lib.sh"
LINES="${LINES:-20000}"
REPEAT="${REPEAT:-5}"
PORT="${PORT:-18282}"
"$BIN" migrate >/dev/null
"$BIN" school create --code BENCH-STMT --name "Trường Đo Sao Kê" --district "Quận Đo" --level primary --ownership non_public --prefix HP \
    --bank 970436:9990001114:BENCH >/dev/null
echo "mật khẩu đo tốc độ" | "$BIN" user add bench --role accountant --school BENCH-STMT >/dev/null
TOKEN=$("$BIN" token create --role accountant --school BENCH-STMT 2>/dev/null | awk '{print $NF}')
WORK=$(mktemp -d /tmp/tuition-bench-statement.XXXXXX)
python3 - "$LINES" > "$WORK/statement.sta" <<'PY'
import sys
lines = int(sys.argv[1])
print(":20:BENCH-0001\n:25:9990001114\n:28C:1/1\n:60F:C260901VND0,00")
for i in range(1, lines + 1):
    print(f":61:2609{5 + i % 20:02d}09{5 + i % 20:02d}C{100000 + i},00NTRFNONREF//BENCH-{i}\n:86:CHUYEN TIEN HOC PHI SO {i} KHONG CO MA")
total = sum(100000 + i for i in range(1, lines + 1))
print(f":62F:C260930VND{total},00")
PY
"$BIN" serve --port "$PORT" >/dev/null 2>"$WORK/serve.log" & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$WORK"; bench_cleanup' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -fs "$BASE/health" >/dev/null 2>&1 && break; sleep 0.1; done
FORM=$(curl -fs -c "$WORK/jar" "$BASE/console/sign-in")
CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<<"$FORM" | head -1)
curl -fs -b "$WORK/jar" -c "$WORK/jar" -o /dev/null --data-urlencode "csrf=$CSRF" --data-urlencode "username=bench" \
    --data-urlencode "password=mật khẩu đo tốc độ" "$BASE/console/sign-in"
BANK=$(curl -fs -b "$WORK/jar" "$BASE/console/schools/BENCH-STMT/bank")
SESSION_CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' <<<"$BANK" | head -1)
[ -n "$SESSION_CSRF" ] || { echo "sign-in failed" >&2; exit 1; }
api() {
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/octet-stream" \
        --data-binary "@$WORK/statement.sta" "$BASE/v1/schools/BENCH-STMT/statements?account=9990001114&dry_run=true&file_name=bench.sta"
}
console() {
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -b "$WORK/jar" -F "csrf=$SESSION_CSRF" -F "account=9990001114" -F "format=auto" \
        -F "file=@$WORK/statement.sta;filename=bench.sta" "$BASE/console/schools/BENCH-STMT/bank/preview"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
check() { # label, "status seconds": the upload must answer 200
    [ "${2%% *}" = 200 ] || { echo "$1 answered ${2%% *}" >&2; exit 1; }
}
echo "bench/console-statement.sh: $LINES-line MT940 ($(( $(stat -c %s "$WORK/statement.sta") / 1024 )) KiB), median of $REPEAT; target console ≤ 2× API"
# Alternated, so the load of a shared machine weighs on both alike.
API_TIMES=() CONSOLE_TIMES=()
for _ in $(seq "$REPEAT"); do
    line=$(api); check "API dry run" "$line"; API_TIMES+=("${line#* }")
    line=$(console); check "console preview" "$line"; CONSOLE_TIMES+=("${line#* }")
done
API_SECONDS=$(printf '%s\n' "${API_TIMES[@]}" | median)
CONSOLE_SECONDS=$(printf '%s\n' "${CONSOLE_TIMES[@]}" | median)
printf '%-52s %8.3f s   (each: %s)\n' "POST /v1/schools/{school}/statements?dry_run (peer)" "$API_SECONDS" "${API_TIMES[*]}"
printf '%-52s %8.3f s   (each: %s)\n' "POST /console/schools/{school}/bank/preview" "$CONSOLE_SECONDS" "${CONSOLE_TIMES[*]}"
python3 -c 'import sys; r = float(sys.argv[2]) / float(sys.argv[1]); print("ratio console / API: %.2f (%s)" % (r, "met" if r <= 2 else "not met"))' \
    "$API_SECONDS" "$CONSOLE_SECONDS"
