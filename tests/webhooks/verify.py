"""Verifies webhook signatures with the `standardwebhooks` package from PyPI.

Reads one JSON object per line on stdin (secret, id, timestamp, signature,
body, each as the receiver got it) and prints `ok` or the reason for each.
An implementation of the Standard Webhooks specification independent of
the API's, so a signature both accept follows the specification.
"""

import json
import sys

from standardwebhooks.webhooks import Webhook

for line in sys.stdin:
    request = json.loads(line)
    headers = {
        "webhook-id": request["id"],
        "webhook-timestamp": request["timestamp"],
        "webhook-signature": request["signature"],
    }
    try:
        Webhook(request["secret"]).verify(request["body"], headers)
        print("ok")
    except Exception as error:  # any refusal is reported, not raised
        print(f"refused: {type(error).__name__}: {error}")
