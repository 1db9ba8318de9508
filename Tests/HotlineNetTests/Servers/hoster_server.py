#!/usr/bin/env python3
"""A loopback hoster for tests: serves generated content, receives notices on a webhook,
and removes a URL after the Nth notice naming it.

  GET  /health                 200
  GET  /content/NAME           200 with bytes generated from NAME (never real content),
                               404 once removed; /gone/NAME is always 404,
                               /flaky/NAME alternates 503 and 404, /redirect?to=URL 302
  POST /webhook                the provider's notice endpoint: checks the HMAC signature
                               (X-Hotline-Signature, secret from --secret), answers 500 to
                               the first --fail-webhook requests, records Idempotency-Key;
                               repeated keys are acknowledged and not counted again
  POST /webhook-slow           answers after 3 seconds (a webhook that times out)
  GET  /state                  JSON: notices received, keys, bad signatures, removed URLs
Usage: hoster_server.py PORT [--secret S] [--remove-after N] [--fail-webhook N]
"""
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
options = sys.argv[2:]
REMOVE_AFTER = int(options[options.index("--remove-after") + 1]) if "--remove-after" in options else 2
FAIL_WEBHOOK = int(options[options.index("--fail-webhook") + 1]) if "--fail-webhook" in options else 0
SECRET = options[options.index("--secret") + 1] if "--secret" in options else ""
lock = threading.Lock()
state = {"requests": 0, "notices": 0, "keys": [], "bad_signatures": 0, "removed": [], "mentions": {}, "fetches": 0, "bodies": []}


def content(name):
    # Deterministic, harmless bytes standing in for a file.
    return hashlib.sha256(name.encode()).digest() * 64


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/health":
            return self.send(200, {"ok": True})
        if path == "/state":
            with lock:
                return self.send(200, state)
        with lock:
            state["fetches"] += 1
        if path.startswith("/redirect"):
            target = self.path.split("to=", 1)[1] if "to=" in self.path else "/"
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path.startswith("/gone/"):
            return self.send(404, {"error": "not found"})
        if path.startswith("/content/"):
            url = "http://127.0.0.1:%d%s" % (PORT, path)
            with lock:
                removed = url in state["removed"]
            if removed:
                return self.send(404, {"error": "removed"})
            return self.send(200, content(path[len("/content/"):]), "application/octet-stream")
        return self.send(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path == "/webhook-slow":
            time.sleep(3)
            return self.send(202, {"status": "late"})
        if self.path != "/webhook":
            return self.send(404, {"error": "not found"})
        with lock:
            state["requests"] += 1
            if state["requests"] <= FAIL_WEBHOOK:
                return self.send(500, {"error": "temporarily broken"})
            signature = self.headers.get("X-Hotline-Signature", "")
            parts = dict(part.split("=", 1) for part in signature.split(",") if "=" in part)
            expected = hmac.new(SECRET.encode(), parts.get("t", "").encode() + b"." + body, hashlib.sha256).hexdigest()
            if not SECRET or not hmac.compare_digest(expected, parts.get("v1", "")):
                state["bad_signatures"] += 1
                return self.send(401, {"error": "bad signature"})
            key = self.headers.get("Idempotency-Key", "")
            if key in state["keys"]:
                return self.send(200, {"status": "duplicate"})
            state["keys"].append(key)
            state["notices"] += 1
            notice = json.loads(body)
            state["bodies"].append(notice)
            for report in notice.get("reports", []):
                url = report["url"]
                state["mentions"][url] = state["mentions"].get(url, 0) + 1
                if state["mentions"][url] >= REMOVE_AFTER and url not in state["removed"]:
                    state["removed"].append(url)
            return self.send(202, {"status": "accepted"})


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
