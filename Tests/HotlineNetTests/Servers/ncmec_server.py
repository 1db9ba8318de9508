#!/usr/bin/env python3
"""A loopback stand-in for NCMEC's hash-sharing API (v2), in the shape python-threatexchange's
NCMEC client (threatexchange/exchanges/clients/ncmec/hash_api.py) requests and parses: HTTP
Basic, /v2/status, /v2/entries?from=&to= with paging by <next>, deleted entries, feedback
reasons and votes. Every hash is made up here from names; nothing is real.

  GET  /v2/entries?from=&to=[&start=&size=&max=]   entries with from <= timestamp <= to
  GET  /v2/feedback/TYPE/reasons                  one negative reason
  PUT  /v2/entries/MEMBER/ID/TYPE/feedback        records the vote
  POST /control/advance                           the next generation of changes (updates, deletions)
  GET  /state                                     votes received, requests, generation

Usage: ncmec_server.py PORT --password P [--page-size N]
"""
import base64
import hashlib
import json
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
PASSWORD = sys.argv[sys.argv.index("--password") + 1]
PAGE = int(sys.argv[sys.argv.index("--page-size") + 1]) if "--page-size" in sys.argv else 3
NS = "https://hashsharing.ncmec.org/hashsharing/v2"
lock = threading.Lock()
state = {"votes": [], "requests": 0, "generation": 0, "bad_auth": 0}


def hexof(name, length):
    return hashlib.sha256(name.encode()).hexdigest()[:length]


def pdna(name):
    return base64.b64encode(hashlib.sha512(name.encode()).digest() * 2 + hashlib.sha256(name.encode()).digest()[:16]).decode()


def entry(kind, ident, member, ts, classification=None, fingerprints=None, deleted=False):
    return {"kind": kind, "id": ident, "member": member, "ts": ts, "classification": classification,
            "fingerprints": fingerprints or {}, "deleted": deleted}


START = int(time.time()) - 3600
ENTRIES = [
    entry("image", "e1", 42, START + 1, "A1", {"md5": hexof("e1", 32), "sha1": hexof("e1s", 40), "pdq": hexof("e1p", 64)}),
    entry("image", "e2", 42, START + 2, "B1", {"md5": hexof("e2", 32)}),
    entry("video", "e3", 43, START + 3, "A2", {"md5": hexof("e3", 32), "tmk_pdqf": "00ff" * 10}),
    entry("image", "e4", 43, START + 4, None, {"md5": hexof("shared", 32), "pdna": pdna("e4")}),
    entry("image", "e7", 42, START + 5, "A1", {"sha1": "not-a-sha1"}),
]


def advance():
    now = int(time.time())
    # e2 and e4 are deleted, e1 changes its PDQ, e5 lists e4's MD5 anew.
    ENTRIES.append(entry("image", "e2", 42, now, deleted=True))
    ENTRIES.append(entry("image", "e1", 42, now, "A1", {"md5": hexof("e1", 32), "sha1": hexof("e1s", 40), "pdq": hexof("e1p2", 64)}))
    ENTRIES.append(entry("image", "e5", 44, now, "A2", {"md5": hexof("shared", 32)}))
    ENTRIES.append(entry("image", "e4", 43, now, deleted=True))


def stamp(ts):
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text):
    return int(datetime.strptime(text.replace(".000Z", "Z"), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def entries_xml(query):
    start, end = parse_time(query["from"]), parse_time(query["to"])
    matching = [e for e in ENTRIES if start <= e["ts"] <= end]
    first = int(query.get("start", "1"))
    size = int(query.get("size", str(PAGE)))
    page = matching[first - 1:first - 1 + size]
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', f'<queryResult xmlns="{NS}">']
    for group, kind in (("images", "image"), ("videos", "video")):
        items = [e for e in page if e["kind"] == kind]
        if not items:
            parts.append(f'<{group} count="0"/>')
            continue
        parts.append(f'<{group} count="{len(items)}" maxTimestamp="{stamp(max(e["ts"] for e in items))}">')
        for e in items:
            tag = ("deleted" + kind.capitalize()) if e["deleted"] else kind
            parts.append(f'<{tag}><member id="{e["member"]}">Member {e["member"]}</member><timestamp>{stamp(e["ts"])}</timestamp><id>{e["id"]}</id>')
            if not e["deleted"]:
                if e["classification"]:
                    parts.append(f'<classification>{e["classification"]}</classification>')
                parts.append("<fingerprints>" + "".join(f"<{k}>{v}</{k}>" for k, v in e["fingerprints"].items()) + "</fingerprints>")
                parts.append("<feedback/>")
            parts.append(f"</{tag}>")
        parts.append(f"</{group}>")
    if first - 1 + size < len(matching):
        params = urllib.parse.urlencode({"from": query["from"], "to": query["to"], "start": first + size, "size": size, "max": len(matching)})
        parts.append(f"<paging><next>/v2/entries?{params.replace('&', '&amp;')}</next></paging>")
    parts.append("</queryResult>")
    return "".join(parts)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def authorized(self):
        expected = "Basic " + base64.b64encode(f"hotline:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            with lock:
                state["bad_auth"] += 1
            self.send(401, "<error>unauthorized</error>")
            return False
        return True

    def send(self, status, body, kind="application/xml"):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/state":
            with lock:
                return self.send(200, state, "application/json")
        if not self.authorized():
            return
        with lock:
            state["requests"] += 1
        if parsed.path == "/v2/status":
            return self.send(200, f'<status xmlns="{NS}"><member id="7">Hotline</member></status>')
        if parsed.path == "/v2/entries":
            query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query).items()}
            with lock:
                return self.send(200, entries_xml(query))
        if parsed.path.startswith("/v2/feedback/") and parsed.path.endswith("/reasons"):
            kind = parsed.path.split("/")[3]
            return self.send(200, f'<availableFeedbackReasons xmlns="{NS}"><reason guid="01234567-abcd-0123-4567-012345678900" name="Not CSAM" type="{kind}"/></availableFeedbackReasons>')
        self.send(404, "<error>not found</error>")

    def do_PUT(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        if not self.authorized():
            return
        parts = urllib.parse.urlsplit(self.path).path.split("/")
        if len(parts) == 7 and parts[1] == "v2" and parts[2] == "entries" and parts[6] == "feedback":
            vote = "upvote" if "<affirmative" in body else "downvote" if "<negative" in body and "<guid>" in body else "bad"
            with lock:
                state["votes"].append({"member": parts[3], "id": parts[4], "type": parts[5], "vote": vote})
            return self.send(200, "<ok/>")
        self.send(404, "<error>not found</error>")

    def do_POST(self):
        if self.path == "/control/advance":
            with lock:
                advance()
                state["generation"] += 1
            return self.send(200, {"generation": state["generation"]}, "application/json")
        self.send(404, "<error>not found</error>")


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
