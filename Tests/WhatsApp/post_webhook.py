#!/usr/bin/env python3
"""Posts a webhook body to a hub signed as Meta signs it (X-Hub-Signature-256 over the file's exact bytes).

Usage: post_webhook.py URL APP_SECRET BODY_FILE. Prints the HTTP status.
"""
import hashlib
import hmac
import sys
import urllib.error
import urllib.request

url, secret, path = sys.argv[1:4]
with open(path, "rb") as file:
    body = file.read()
signature = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
request = urllib.request.Request(
    url, data=body, method="POST",
    headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})
try:
    with urllib.request.urlopen(request, timeout=30) as response:
        print(response.status)
except urllib.error.HTTPError as error:
    print(error.code)
