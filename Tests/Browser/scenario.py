"""What every console scenario shares: the checks it has passed, and reads of the JSON API with a bearer token
(to see what a page changed without trusting the page)."""
import json
import urllib.request

checks = []


def check(condition, what):
    checks.append(what)
    if not condition:
        raise AssertionError(what)


def api_read(base, token, path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())
