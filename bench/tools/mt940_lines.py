#!/usr/bin/env python3
"""Writes an MT940 statement of N credit lines for one account (for the soak and import benches).

Usage: mt940_lines.py OUT ACCOUNT N [--start-balance B] [--tag T] [--codes FILE]
Each line has a unique bank reference (T-n) and a memo with a payment code from FILE when given.
The opening balance is B; the closing balance is B plus the lines, so the statement balances.
"""
import argparse, datetime

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("account")
parser.add_argument("count", type=int)
parser.add_argument("--start-balance", type=int, default=0)
parser.add_argument("--tag", default="SOAK")
parser.add_argument("--codes")
parser.add_argument("--date", default="2026-09-20")
args = parser.parse_args()
codes = [line.strip() for line in open(args.codes)] if args.codes else []
day = datetime.date.fromisoformat(args.date)
ymd = day.strftime("%y%m%d")
md = day.strftime("%m%d")
balance = args.start_balance
with open(args.out, "w") as out:
    out.write(f":20:{args.tag}\r\n:25:{args.account}\r\n:28C:1/1\r\n:60F:C{ymd}VND{args.start_balance},\r\n")
    for n in range(args.count):
        amount = 100000 + (n % 50) * 1000
        balance += amount
        code = codes[n % len(codes)] if codes else "NO CODE"
        out.write(f":61:{ymd}{md}C{amount},NTRFNONREF//{args.tag}-{n}\r\n:86:IBFT {code} HOC PHI THANG 9 NGUYEN VAN AN\r\n")
    out.write(f":62F:C{ymd}VND{balance},\r\n")
print(balance)
