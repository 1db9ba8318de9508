#!/usr/bin/env python3
"""A loopback SMTP server for tests (aiosmtpd): every accepted message is written to a
directory as NNNNNN.eml, with the envelope in X-Envelope-* lines on top.

Usage: smtp_server.py PORT MAILDIR [--auth USER:PASSWORD] [--tls CERT KEY]
                      [--fail-first N] [--refuse RCPT] [--delay SECONDS]
  --auth        require AUTH PLAIN/LOGIN with these credentials (over TLS when --tls)
  --tls         offer STARTTLS with this certificate, and require it
  --fail-first  answer 451 to the first N messages (a transient failure)
  --refuse      answer 550 to this recipient (a permanent failure)
  --delay       wait before accepting each message
Prints READY when listening.
"""
import asyncio
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

args = sys.argv[1:]
PORT = int(args[0])
MAILDIR = args[1]
options = args[2:]


def option(name, count=1):
    if name not in options:
        return None
    index = options.index(name)
    values = options[index + 1:index + 1 + count]
    return values if count > 1 else values[0]


auth = option("--auth")
tls = option("--tls", 2)
fail_first = int(option("--fail-first") or 0)
refuse = option("--refuse")
delay = float(option("--delay") or 0)
os.makedirs(MAILDIR, exist_ok=True)
state = {"seen": 0, "saved": len(os.listdir(MAILDIR))}


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if refuse and address.lower() == refuse.lower():
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        state["seen"] += 1
        if state["seen"] <= fail_first:
            return "451 4.3.0 try again later"
        if delay:
            await asyncio.sleep(delay)
        state["saved"] += 1
        path = os.path.join(MAILDIR, "%06d.eml" % state["saved"])
        head = "X-Envelope-From: %s\r\nX-Envelope-To: %s\r\nX-Envelope-TLS: %s\r\nX-Envelope-Auth: %s\r\n" % (
            envelope.mail_from, ",".join(envelope.rcpt_tos), "yes" if session.ssl else "no",
            "yes" if session.authenticated else "no")
        data = envelope.original_content or envelope.content
        temporary = path + ".tmp"
        with open(temporary, "wb") as f:
            f.write(head.encode() + data)
        os.rename(temporary, path)
        return "250 2.0.0 queued as %d" % state["saved"]


def authenticator(server, session, envelope, mechanism, data):
    if not isinstance(data, LoginPassword):
        return AuthResult(success=False, handled=False)
    user, password = auth.split(":", 1)
    ok = data.login.decode() == user and data.password.decode() == password
    return AuthResult(success=ok)


kwargs = {"hostname": "127.0.0.1", "port": PORT}
if tls:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls[0], tls[1])
    kwargs.update(tls_context=context, require_starttls=True)
if auth:
    kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(tls))
controller = Controller(Handler(), **kwargs)
controller.start()
print("READY", flush=True)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
