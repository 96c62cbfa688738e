"""A real SMTP server for the e-mail tests (aiosmtpd, from PyPI).

Usage: smtp_sink.py PORT [REFUSE_FIRST]

Prints `ready` once it listens, then one JSON line per message accepted:
the envelope, and the headers and text body as Python's own e-mail
parser decodes them (an implementation independent of the API's). The
first REFUSE_FIRST messages are refused with a temporary error (451), as a
busy or greylisting server does.
"""

import json
import sys
import time
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, refuse_first):
        self.refuse_first = refuse_first

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_first > 0:
            self.refuse_first -= 1
            print(json.dumps({"refused": True}), flush=True)
            return "451 4.3.0 Try again later"
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(message["from"]),
            "to": str(message["to"]),
            "subject": str(message["subject"]),
            "content_language": message.get("content-language"),
            "message_id": message.get("message-id"),
            "body": body.get_content() if body is not None else None,
        }
        print(json.dumps(record, ensure_ascii=False), flush=True)
        return "250 Message accepted for delivery"


def main():
    port = int(sys.argv[1])
    refuse_first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    controller = Controller(Sink(refuse_first), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
