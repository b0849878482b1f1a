#!/usr/bin/env python3
"""Writes an .xlsx workbook from a bank CSV export with openpyxl (an independent writer), typed as the
bank's Excel export is: dates as date cells (serial numbers in a date style), amounts as numbers, the
rest as text. The statement tests read it back and compare it line by line with the CSV it came from.

    scripts/xlsx-samples.py                     # every bank-formats/samples/<id>.csv|txt -> <id>-excel.xlsx
    scripts/xlsx-samples.py IN.csv ID OUT.xlsx  # one file, laid out as bank-formats/statements/ID.json

bank-formats/samples/bidv-libreoffice.xlsx was saved by LibreOffice Calc 7.4 (Debian package
libreoffice-calc-nogui) from bidv.csv, dates read day first, amounts in US English, text kept:

    soffice --headless --infilter="CSV:44,34,76,1,2/4/3/2/7/2,1033" --convert-to xlsx bidv.csv

Needs openpyxl (pip install openpyxl). Amounts become int or Decimal, never float, so the numbers
written are exactly the CSV's; text that only looks like a number (leading zeros, more than 15 digits)
stays text, as Excel keeps it when the bank exports it so.
"""
import csv, datetime, decimal, json, os, re, sys

import openpyxl

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bank-formats")


def date_regex(pattern):
    """dd/MM/yyyy HH:mm:ss -> a regex with named groups."""
    out, i = "", 0
    tokens = [("yyyy", r"(?P<y>\d{4})"), ("dd", r"(?P<d>\d{2})"), ("MM", r"(?P<m>\d{2})"), ("HH", r"\d{2}"),
              ("mm", r"\d{2}"), ("ss", r"\d{2}"), ("d", r"(?P<d>\d{1,2})"), ("M", r"(?P<m>\d{1,2})"), ("H", r"\d{1,2}")]
    while i < len(pattern):
        for token, rx in tokens:
            if pattern.startswith(token, i):
                out += rx
                i += len(token)
                break
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile("^" + out + "$")


def amount(text, style):
    thousands, dec = style["thousandsSeparator"], style["decimalSeparator"]
    t = text.strip()
    negative = False
    if t.startswith("(") and t.endswith(")") and style.get("parenthesesNegative", True):
        negative, t = True, t[1:-1]
    if t.startswith("-"):
        negative, t = True, t[1:]
    if thousands:
        t = t.replace(thousands, "")
    t = t.replace(dec, ".")
    if not re.fullmatch(r"\d+(\.\d+)?", t) or (len(t) > 1 and t.startswith("0") and not t.startswith("0.")):
        return None
    if len(t.replace(".", "")) > 15:
        return None
    value = decimal.Decimal(t)
    if negative:
        value = -value
    return int(value) if value == value.to_integral_value() else value


def convert(csv_path, description_id, out_path):
    with open(os.path.join(ROOT, "statements", description_id + ".json"), encoding="utf-8") as f:
        desc = json.load(f)
    encoding = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be"}[desc["encoding"]]
    dates = [date_regex(p) for p in desc["dateFormats"]]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sao ke"
    with open(csv_path, encoding=encoding, newline="") as f:
        for row in csv.reader(f, delimiter=desc["delimiter"], quotechar=desc.get("quote", '"')):
            values = []
            for cell in row:
                match = next((m for m in (rx.match(cell.strip()) for rx in dates) if m), None)
                number = amount(cell, desc["amount"]) if cell.strip() else None
                if match:
                    values.append(datetime.date(int(match["y"]), int(match["m"]), int(match["d"])))
                elif number is not None:
                    values.append(number)
                else:
                    values.append(cell if cell != "" else None)
            sheet.append(values)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, (datetime.date, datetime.datetime)):
                cell.number_format = "dd/mm/yyyy"
    workbook.save(out_path)


def main():
    if len(sys.argv) == 4:
        convert(sys.argv[1], sys.argv[2], sys.argv[3])
        return
    samples = os.path.join(ROOT, "samples")
    for name in sorted(os.listdir(samples)):
        stem, ext = os.path.splitext(name)
        if ext in (".csv", ".txt") and os.path.exists(os.path.join(ROOT, "statements", stem + ".json")):
            convert(os.path.join(samples, name), stem, os.path.join(samples, stem + "-excel.xlsx"))
            print("wrote", os.path.join("bank-formats", "samples", stem + "-excel.xlsx"))


if __name__ == "__main__":
    main()
