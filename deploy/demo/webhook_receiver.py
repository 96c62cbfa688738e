#!/usr/bin/env python3
"""A webhook receiver for trying the product's webhooks by hand.

Usage: WEBHOOK_SECRET=whsec_... python3 deploy/demo/webhook_receiver.py [PORT]

Listens on 127.0.0.1:PORT (default 9000), answers every POST with 204, and
prints each delivery: its event type, target and `webhook-id`, and whether
its signature verifies with WEBHOOK_SECRET (the secret shown once when the
endpoint was added). The check follows the Standard Webhooks specification
with Python's standard library only: HMAC-SHA256 over
"<webhook-id>.<webhook-timestamp>.<body>" with the base64-decoded secret,
compared with each "v1," signature in `webhook-signature`.
"""

import base64
import hashlib
import hmac
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def verify(secret, msg_id, timestamp, body, signatures):
    if not secret:
        return "not checked (set WEBHOOK_SECRET)"
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return "signature OK"
    return "signature DOES NOT VERIFY"


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        verdict = verify(
            os.environ.get("WEBHOOK_SECRET", ""),
            self.headers.get("webhook-id", ""),
            self.headers.get("webhook-timestamp", ""),
            body,
            self.headers.get("webhook-signature", ""),
        )
        try:
            event = json.loads(body)
            data = event.get("data", {})
            what = f"{event.get('type')} {data.get('target_type')} {data.get('target_id')} #{data.get('seq')}"
        except ValueError:
            what = f"{len(body)} bytes that are not JSON"
        print(f"{self.headers.get('webhook-id')}: {what}: {verdict}", flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    print(f"listening on http://127.0.0.1:{port}/", flush=True)
    HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
