#!/usr/bin/env python3
"""Reads every cell of an .xlsx workbook's first sheet with openpyxl (read-only mode, its fastest) and
prints a one-line summary: the comparison point for `tuition parse FILE.xlsx`."""
import sys

import openpyxl

workbook = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
sheet = workbook.worksheets[0]
rows = cells = 0
for row in sheet.iter_rows(values_only=True):
    rows += 1
    cells += sum(1 for value in row if value is not None)
print(f'{{"library":"openpyxl {openpyxl.__version__}","rows":{rows},"cells":{cells}}}')
