#!/usr/bin/env python3
"""Parses an MT940 file with the PyPI `mt-940` package and prints a one-line summary: the comparison point."""
import sys

import mt940

statements = mt940.models.Transactions()
with open(sys.argv[1], encoding="utf-8") as handle:
    statements.parse(handle.read())
print(f'{{"library":"mt-940 {mt940.__version__}","transactions":{len(statements)}}}')
