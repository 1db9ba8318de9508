#!/usr/bin/env python3
"""A loopback stand-in for external matchers, speaking PhotoDNA's Match API and Arachnid
Shield's media endpoint as far as the gateway uses them. What it answers depends on marker
bytes in the file (the tests generate them; no real content): MATCH matches, NEAR is a near
match, SLOW answers after 3 seconds, FAIL answers 500, JUNK answers a body that is not JSON,
ODD answers a classification with a line break in it.

  POST /photodna/Match     {"DataRepresentation": "inline", "Value": base64}; key in Ocp-Apim-Subscription-Key
  POST /arachnid/media     the raw bytes; HTTP Basic user:key
  GET  /state              {"requests": N}

Usage: matcher_server.py PORT KEY
"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
KEY = sys.argv[2]
state = {"requests": 0}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/state":
            with lock:
                return self.send(200, dict(state))
        return self.send(404, {"error": "not found"})

    def marked(self, data):
        if b"SLOW" in data:
            time.sleep(3)
        if b"FAIL" in data:
            return "fail"
        if b"JUNK" in data:
            return "junk"
        for marker in (b"MATCH", b"NEAR", b"ODD"):
            if marker in data:
                return marker.decode().lower()
        return "none"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            state["requests"] += 1
        if self.path == "/photodna/Match":
            if self.headers.get("Ocp-Apim-Subscription-Key") != KEY:
                return self.send(401, {"statusCode": 401, "message": "Access denied due to invalid subscription key."})
            request = json.loads(body)
            if request.get("DataRepresentation") != "inline":
                return self.send(400, {"error": "inline only"})
            kind = self.marked(base64.b64decode(request["Value"]))
            if kind == "fail":
                return self.send(500, {"error": "internal"})
            if kind == "junk":
                return self.send(200, b"<html>oops</html>")
            violation = "A1\r\nX-Injected: yes" if kind == "odd" else "A1"
            matched = kind in ("match", "near", "odd")
            answer = {"Status": {"Code": 3000, "Description": "OK"}, "IsMatch": matched, "ContentId": None,
                      "MatchDetails": {"AdvancedInfo": [], "MatchFlags": [{"AdvancedInfo": [], "Source": "Test", "Violations": [violation]}] if matched else []}}
            return self.send(200, answer)
        if self.path == "/arachnid/media":
            expected = "Basic " + base64.b64encode(("gateway:" + KEY).encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self.send(401, {"detail": "Invalid username/password."})
            kind = self.marked(body)
            if kind == "fail":
                return self.send(503, {"detail": "unavailable"})
            if kind == "junk":
                return self.send(200, b"not json")
            if kind == "match":
                return self.send(200, {"classification": "csam", "match_type": "exact", "near_match_details": [], "size_bytes": len(body)})
            if kind == "near":
                return self.send(200, {"classification": "csam", "match_type": "near", "near_match_details": [{"classification": "csam", "distance": 12}]})
            return self.send(200, {"classification": "no-known-match", "match_type": None, "near_match_details": []})
        return self.send(404, {"error": "not found"})


class Server(ThreadingHTTPServer):
    daemon_threads = True


Server(("127.0.0.1", PORT), Handler).serve_forever()
