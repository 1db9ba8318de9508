#!/usr/bin/env python3
"""A loopback RDAP server for tests: serves the RIR fixtures.

  /rdap/ip/ADDR        fixtures/rdap/ip/ADDR.json (":" written "_"), else 404 with an RDAP error
  /rdap/domain/NAME    fixtures/rdap/domain/NAME.json
  /flaky/ip/ADDR       503 the first time, then as /rdap/
  /slow/ip/ADDR        answers after 3 seconds
  /big/ip/ADDR         a 2 MiB body
  /bootstrap/NAME      fixtures/rdap/bootstrap/NAME (IANA bootstrap files)
  /redirect/ip/ADDR?to=URL  302 to URL (for the redirect checks)
  /control/MODE        how /rdap/ answers from now on: normal, 500, 429 (Retry-After: 1 on every
                       other request), 429-long (Retry-After: 120), malformed (a broken JSON body)
Usage: rdap_server.py PORT FIXTURES_DIR
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
FIXTURES = sys.argv[2]
seen = set()
state = {"mode": "normal", "limited": 0}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/rdap+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/redirect/") and "?to=" in self.path:
            self.send_response(302)
            self.send_header("Location", self.path.split("?to=", 1)[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        parts = self.path.strip("/").split("/")
        if parts == ["health"]:
            return self.send(200, {"ok": True})
        if len(parts) == 2 and parts[0] == "bootstrap":
            path = os.path.join(FIXTURES, "bootstrap", os.path.basename(parts[1]))
            if not os.path.exists(path):
                return self.send(404, {"errorCode": 404, "title": "Not Found"})
            with open(path, "rb") as f:
                return self.send(200, f.read())
        if len(parts) == 2 and parts[0] == "control":
            state["mode"] = parts[1]
            return self.send(200, {"mode": parts[1]})
        if parts[:1] == ["rdap"] and state["mode"] != "normal":
            mode = state["mode"]
            if mode == "500":
                return self.send(500, {"errorCode": 500, "title": "Internal Server Error"})
            if mode == "malformed":
                return self.send(200, b'{"objectClassName": "ip network", "entities": [{"vcardArray": ["vcard", [[')
            if mode in ("429", "429-long"):
                state["limited"] += 1
                if mode == "429-long" or state["limited"] % 2 == 1:
                    data = json.dumps({"errorCode": 429, "title": "Too Many Requests"}).encode()
                    self.send_response(429)
                    self.send_header("Retry-After", "120" if mode == "429-long" else "1")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
        if len(parts) < 3 or parts[1] not in ("ip", "domain"):
            return self.send(400, {"errorCode": 400, "title": "Bad Request"})
        mode, kind, key = parts[0], parts[1], "/".join(parts[2:])
        if mode == "flaky" and self.path not in seen:
            seen.add(self.path)
            return self.send(503, {"errorCode": 503, "title": "Try again"})
        if mode == "slow":
            time.sleep(3)
        if mode == "big":
            return self.send(200, b"{" + b" " * (2 * 1024 * 1024) + b"}")
        # Networks queried by CIDR (parent networks) are served from "ADDR_LEN" files if present.
        path = os.path.join(FIXTURES, kind, key.replace(":", "_").replace("/", "_") + ".json")
        if not os.path.exists(path):
            return self.send(404, {"errorCode": 404, "title": "Not Found"})
        with open(path, "rb") as f:
            self.send(200, f.read())


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
