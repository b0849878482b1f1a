#!/usr/bin/env python3
"""Writes a large, valid statement file for benchmarks: deterministic, balances that check out.

    statements.py FORMAT LINES OUTPUT

FORMAT is mt940, camt053 or csv (the BIDV layout of bank-formats/statements/bidv.json).
LINES is the number of text lines to write (approximately: whole transactions only).
"""
import random
import sys

MEMO_WORDS = ["HOC", "PHI", "THANG", "TIEN", "AN", "NGUYEN", "VAN", "TRAN", "THI", "LE", "BAN", "TRU", "DONG", "PHUC", "LOP"]
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TRANSACTIONS_PER_STATEMENT = 1000


def memo(rng, index):
    code = "HP" + "".join(rng.choice(ALPHABET) for _ in range(6))
    words = " ".join(rng.choice(MEMO_WORDS) for _ in range(rng.randint(3, 9)))
    return f"MBVCB.{3278900000 + index}.{code} {words}"


def amount(rng):
    return rng.choice([50000, 120000, 350000, 1500000, 2750000, 4200000]) * rng.randint(1, 3)


def mt940(out, lines, rng):
    written, index, statement, balance = 0, 0, 0, 100_000_000
    while written < lines:
        statement += 1
        out.write(f":20:BENCH{statement:08d}\n:25:0011001234567\n:28C:{statement}/1\n:60F:C240101VND{balance},00\n")
        written += 4
        for _ in range(TRANSACTIONS_PER_STATEMENT):
            if written >= lines:
                break
            index += 1
            value = amount(rng)
            credit = rng.random() < 0.8
            balance += value if credit else -value
            mark = "C" if credit else "D"
            text = memo(rng, index)
            out.write(f":61:2401020102{mark}{value},00NTRFNONREF//FT{index:012d}\n")
            # Wrap the information at 65 characters as banks do.
            out.write(":86:" + text[:61] + "\n")
            written += 2
            rest = text[61:]
            while rest:
                out.write(rest[:65] + "\n")
                rest = rest[65:]
                written += 1
        out.write(f":62F:C240102VND{balance},00\n")
        written += 1


def camt053(out, lines, rng):
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">\n<BkToCstmrStmt>\n')
    out.write("<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2024-01-03T06:00:00+07:00</CreDtTm></GrpHdr>\n")
    written, index, statement, balance = 4, 0, 0, 100_000_000
    while written < lines:
        statement += 1
        entries = []
        closing = balance
        for _ in range(TRANSACTIONS_PER_STATEMENT):
            if written + 24 * (len(entries) + 1) >= lines:
                break
            index += 1
            value = amount(rng)
            credit = rng.random() < 0.8
            closing += value if credit else -value
            entries.append((index, value, credit, memo(rng, index)))
        if not entries:
            break
        out.write(f"<Stmt>\n<Id>BENCH-{statement}</Id>\n<ElctrncSeqNb>{statement}</ElctrncSeqNb>\n")
        out.write("<Acct><Id><Othr><Id>0011001234567</Id></Othr></Id><Ccy>VND</Ccy></Acct>\n")
        for code, value in (("OPBD", balance), ("CLBD", closing)):
            out.write(f"<Bal>\n<Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>\n<Amt Ccy=\"VND\">{value}</Amt>\n"
                      f"<CdtDbtInd>CRDT</CdtDbtInd>\n<Dt><Dt>2024-01-02</Dt></Dt>\n</Bal>\n")
        written += 4 + 12
        for index, value, credit, text in entries:
            indicator = "CRDT" if credit else "DBIT"
            party = "Dbtr" if credit else "Cdtr"
            out.write(
                "<Ntry>\n"
                f"  <Amt Ccy=\"VND\">{value}</Amt>\n"
                f"  <CdtDbtInd>{indicator}</CdtDbtInd>\n"
                "  <Sts><Cd>BOOK</Cd></Sts>\n"
                "  <BookgDt><Dt>2024-01-02</Dt></BookgDt>\n"
                "  <ValDt><Dt>2024-01-02</Dt></ValDt>\n"
                f"  <AcctSvcrRef>FT{index:012d}</AcctSvcrRef>\n"
                "  <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>\n"
                "  <NtryDtls>\n"
                "    <TxDtls>\n"
                "      <Refs>\n"
                "        <EndToEndId>NOTPROVIDED</EndToEndId>\n"
                f"        <TxId>TX{index}</TxId>\n"
                "      </Refs>\n"
                "      <RltdPties>\n"
                f"        <{party}><Pty><Nm>NGUYEN VAN AN</Nm></Pty></{party}>\n"
                f"        <{party}Acct><Id><Othr><Id>0071000{index % 1000000:06d}</Id></Othr></Id></{party}Acct>\n"
                "      </RltdPties>\n"
                "      <RmtInf>\n"
                f"        <Ustrd>{text}</Ustrd>\n"
                "      </RmtInf>\n"
                "    </TxDtls>\n"
                "  </NtryDtls>\n"
                "</Ntry>\n")
            written += 24
        out.write("</Stmt>\n")
        written += 1
        balance = closing
    out.write("</BkToCstmrStmt>\n</Document>\n")


def csv(out, lines, rng):
    balance = 100_000_000
    out.write("NGÂN HÀNG TMCP ĐẦU TƯ VÀ PHÁT TRIỂN VIỆT NAM (BIDV),,,,,,\nSố tài khoản: 12010000123456,,,,,,\n")
    out.write("STT,NGÀY HIỆU LỰC,SỐ CT,GHI NỢ,GHI CÓ,SỐ DƯ,MÔ TẢ\n")
    out.write(f',DƯ ĐẦU,,,,"{balance:,}",\n')
    for index in range(1, lines - 4):
        value = amount(rng)
        credit = rng.random() < 0.8
        balance += value if credit else -value
        debit_cell = "" if credit else f'"{value:,}"'
        credit_cell = f'"{value:,}"' if credit else ""
        out.write(f'{index},02/01/2024,BDV{index:09d},{debit_cell},{credit_cell},"{balance:,}",{memo(rng, index)}\n')
    out.write(f',DƯ CUỐI,,,,"{balance:,}",\n')


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("mt940", "camt053", "csv"):
        sys.exit(__doc__)
    writer = {"mt940": mt940, "camt053": camt053, "csv": csv}[sys.argv[1]]
    with open(sys.argv[3], "w", encoding="utf-8", newline="\n") as out:
        writer(out, int(sys.argv[2]), random.Random(20240102))


if __name__ == "__main__":
    main()
