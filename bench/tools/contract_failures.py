#!/usr/bin/env python3
"""Prints the failures of a schemathesis run by kind, with the operations each kind was found in.

Reads the JUnit report (one test case per operation; each failure lists its checks as `- Title` lines)
and prints `failures by kind: none` when the run found nothing.
Usage: contract_failures.py JUNIT_XML ST_LOG
"""
import collections
import re
import sys
import xml.etree.ElementTree as ElementTree


def failures(junit_path):
    kinds = collections.defaultdict(set)
    errors = []
    try:
        root = ElementTree.parse(junit_path).getroot()
    except (OSError, ElementTree.ParseError) as problem:
        errors.append(f"no JUnit report ({problem})")
        return kinds, errors
    for case in root.iter("testcase"):
        operation = case.get("name", "?")
        for failure in case.findall("failure"):
            text = (failure.get("message") or "") + "\n" + (failure.text or "")
            label = operation
            if operation == "Stateful tests":
                # A stateful failure is named by the last request of its sequence.
                calls = re.findall(r"curl -X (\w+) .*?http://[^/\s']+(/[^?\s']*)", text)
                label = f"{calls[-1][0]} {calls[-1][1]} (stateful)" if calls else operation
            titles = re.findall(r"^- ([^\n]+?)\s*$", text, flags=re.MULTILINE)
            for title in titles or ["(untitled failure)"]:
                kinds[title].add(label)
        for error in case.findall("error"):
            errors.append(f"{operation}: {(error.get('message') or error.text or '').strip().splitlines()[0:1]}")
    return kinds, errors


def main():
    kinds, errors = failures(sys.argv[1])
    if not kinds and not errors:
        print("failures by kind: none")
    else:
        print("failures by kind:")
        for kind, operations in sorted(kinds.items(), key=lambda item: (-len(item[1]), item[0])):
            print(f"  {kind}: {len(operations)} operation(s)")
            for operation in sorted(operations):
                print(f"      {operation}")
        for error in errors:
            print(f"  error: {error}")


if __name__ == "__main__":
    main()
