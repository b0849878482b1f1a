#!/usr/bin/env bash
# The console in a real browser: a private cluster, a school with a roster and September issued, a console user,
# `tuition serve`, then console_scenario.py drives headless Chromium. Screenshots go to $BROWSER_OUT
# (default .build/browser-test). Uses the debug build scripts/test has just made (BIN overrides).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
BIN="${BIN:-$ROOT/.build/debug/tuition}"
OUT="${BROWSER_OUT:-$ROOT/.build/browser-test}"
PORT="${PORT:-18380}"
for tool in chromium zbarimg python3; do command -v "$tool" >/dev/null || { echo "$tool is missing (scripts/setup-system)" >&2; exit 1; }; done
HOME_DIR=$(mktemp -d /tmp/tuition-browser.XXXXXX)
chmod 755 "$HOME_DIR"
export TUITION_HOME="$HOME_DIR" BROWSER_PROFILE="$HOME_DIR/profile"
unset DATABASE_URL
SERVER=
cleanup() {
    set +e
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    "$BIN" db stop >/dev/null 2>&1
    rm -rf "$HOME_DIR"
}
trap cleanup EXIT
"$BIN" db start >/dev/null
eval "$("$BIN" db env)"
"$BIN" migrate >/dev/null
# A non-public school: public schools bill no tuition from 2025-26 (docs/billing.md).
"$BIN" school create --code TH-WEB --name "Trường Tiểu học Hoàng Văn Thụ" --district "TP Thái Nguyên" --level primary --ownership non_public \
    --prefix HP --bank "970436:1111222233:TH HOANG VAN THU" >/dev/null
"$BIN" school create --code TH-KHAC --name "Trường Tiểu học Khác" --district "Đại Từ" --level primary --prefix KH >/dev/null
cat > "$HOME_DIR/roster.csv" <<'CSV'
Mã HS,Họ và tên,Ngày sinh,Lớp,Khối,Phụ huynh,SĐT,Mã gia đình
HS001,Lê Thị Na,02/03/2019,1A1,1,Lê Văn Cha,0912345678,GD1
HS002,Trần Văn Bình,15/07/2019,1A1,1,Trần Thị Mẹ,0987654321,GD2
CSV
"$BIN" students import "$HOME_DIR/roster.csv" --school TH-WEB >/dev/null
"$BIN" fees add --school TH-WEB --code HP --name "Học phí" --kind tuition >/dev/null
"$BIN" fees schedule --school TH-WEB --fee HP --year 2026 --amount 1500000 >/dev/null
"$BIN" invoices issue --school TH-WEB --period 2026-09 >/dev/null
PASSWORD="mật khẩu kế toán 2026"
echo "$PASSWORD" | "$BIN" user add ketoan --role accountant --school TH-WEB >/dev/null
TOKEN=$("$BIN" token create --role accountant --school TH-WEB 2>/dev/null | awk '{print $NF}')
"$BIN" serve --port "$PORT" >/dev/null 2>"$HOME_DIR/serve.log" & SERVER=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
rm -rf "$OUT"
python3 "$ROOT/Tests/Browser/console_scenario.py" "http://127.0.0.1:$PORT" TH-WEB TH-KHAC ketoan "$PASSWORD" "$TOKEN" "$OUT"
python3 "$ROOT/Tests/Browser/console_write_scenario.py" "http://127.0.0.1:$PORT" TH-WEB ketoan "$PASSWORD" "$TOKEN" "$OUT"
python3 "$ROOT/Tests/Browser/console_actions_scenario.py" "http://127.0.0.1:$PORT" TH-WEB ketoan "$PASSWORD" "$TOKEN" "$BIN" "$OUT"
