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
  GET  /image/NAME.EXT         a generated image (EXT jpg, png, gif or webp; ?w=&h= size),
                               the same bytes for the same NAME and size
  GET  /page/NAME?images=a,b   an HTML page showing those images in every way pages do
                               (relative src, srcset, picture/source, video poster, og:image,
                               style background, a link to media), and a link to another page
  GET  /links/N                a page with N links to images
  GET  /slow/NAME              an image, after 4 seconds
  GET  /big                    a 48 MiB body
  GET  /mislabelled/NAME.jpg   a JPEG labelled text/html; /broken.jpg a truncated JPEG
  GET  /cloak/NAME             404 to browsers, the content to anyone else (User-Agent)
  GET  /remove/NAME            the hoster takes /content/NAME down (404 from then on)
  GET  /marker/NAME            a page and (/marker/NAME.jpg) an image carrying sha256("marker-" + NAME)
  GET  /video/NAME.mp4         a generated clip (?seconds=N, default 6): ffmpeg's Game of Life
                               seeded from NAME, so each name is another video (needs ffmpeg)
Usage: hoster_server.py PORT [--secret S] [--remove-after N] [--fail-webhook N] [--bind ADDRESS]
"""
import hashlib
import os
import subprocess
import tempfile
import hmac
import json
import os
import socket
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


images = {}


VIDEOS = {}


def video(name, seconds):
    """A clip of ffmpeg's Game of Life, seeded from the name: generated, never real."""
    key = (name, seconds)
    if key not in VIDEOS:
        seed = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "clip.mp4")
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                            "life=s=192x144:rate=10:seed=%d:mold=10:life_color=#C83232:death_color=#1E5AA0:mold_color=#E0C040,format=yuv420p" % seed,
                            "-t", str(seconds), "-c:v", "libx264", "-crf", "30", "-pix_fmt", "yuv420p", path], check=True)
            with open(path, "rb") as f:
                VIDEOS[key] = f.read()
    return VIDEOS[key]


def image(name, ext, width=320, height=240, comment=b""):
    """A generated picture (a gradient, shapes and noise seeded by NAME), never real content."""
    key = (name, ext, width, height, comment)
    with lock:
        if key in images:
            return images[key]
    import io
    import random
    from PIL import Image, ImageDraw
    rng = random.Random(name)
    picture = Image.new("RGB", (width, height))
    pixels = picture.load()
    a, b = rng.randrange(256), rng.randrange(256)
    for y in range(0, height, 2):
        for x in range(0, width, 2):
            value = ((x * a) // max(1, width) + (y * b) // max(1, height)) % 256
            colour = (value, (value * 3) % 256, 255 - value)
            for dy in range(2):
                for dx in range(2):
                    if x + dx < width and y + dy < height:
                        pixels[x + dx, y + dy] = colour
    draw = ImageDraw.Draw(picture)
    for _ in range(8):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        draw.rectangle([x0, y0, x0 + rng.randrange(10, width // 2 + 11), y0 + rng.randrange(10, height // 2 + 11)], fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    if ext == "jpg":
        picture.save(out, "JPEG", quality=90, comment=comment) if comment else picture.save(out, "JPEG", quality=90)
    elif ext == "png":
        picture.save(out, "PNG")
    elif ext == "gif":
        picture.convert("P", palette=Image.ADAPTIVE).save(out, "GIF")
    elif ext == "webp":
        picture.save(out, "WEBP", quality=90)
    data = out.getvalue()
    with lock:
        images[key] = data
    return data


def page(name, names):
    names = names or [name + "-1", name + "-2"]
    first = names[0]
    rest = names[1:]
    parts = ["<!DOCTYPE html><html><head><title>%s</title>" % name]
    parts.append('<meta property="og:image" content="/image/%s.jpg">' % first)
    parts.append("<style>.hero { background-image: url('../image/%s.png') }</style></head><body>" % first)
    parts.append('<img src="../image/%s.jpg" alt="">' % first)
    for index, other in enumerate(rest):
        kind = ["png", "gif", "webp", "jpg"][index % 4]
        parts.append('<picture><source srcset="/image/%s.%s 1x, /image/%s.%s 2x"></picture>' % (other, kind, other, kind))
        parts.append('<div style="background: url(/image/%s.%s)">' % (other, kind))
        parts.append('<video poster="/image/%s.%s"></video>' % (other, kind))
    parts.append('<a href="/image/%s.jpg#full">full size</a> <a href="/page/other">another page</a>' % first)
    # Broken markup, as pages have it: unclosed tags and a stray attribute.
    parts.append("<p><b>unclosed <i>tags <div class=x y=>")
    return "".join(parts).encode()


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
            state["agents"] = state.get("agents", []) + [self.headers.get("User-Agent", "")]
            state["paths"] = state.get("paths", []) + [path]
        query = dict(part.split("=", 1) for part in self.path.split("?", 1)[1].split("&") if "=" in part) if "?" in self.path else {}
        if path.startswith("/video/"):
            name = path[len("/video/"):].rsplit(".", 1)[0]
            return self.send(200, video(name, int(query.get("seconds", 6))), "video/mp4")
        if path.startswith("/image/") or path.startswith("/slow/") or path.startswith("/mislabelled/"):
            if path.startswith("/slow/"):
                time.sleep(4)
            base = path.rsplit("/", 1)[1]
            name, _, ext = base.rpartition(".")
            if not name:
                name, ext = base, "jpg"
            data = image(name, ext if ext in ("jpg", "png", "gif", "webp") else "jpg", int(query.get("w", 320)), int(query.get("h", 240)))
            kind = "text/html" if path.startswith("/mislabelled/") else {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}.get(ext, "image/jpeg")
            return self.send(200, data, kind)
        # A small site for a hoster's own crawl: robots.txt keeps /private/ out, the pages link
        # to each other, off the origin and deeper than a crawl goes.
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n\nUser-agent: other-bot\nDisallow: /\n", "text/plain")
        if path.startswith("/site/") or path.startswith("/private/"):
            pages = {
                "/site/index": '<img src="/image/site1.jpg"><a href="a">a</a> <a href="/private/secret">secret</a> <a href="http://elsewhere.test/x">off</a> <a href="/site/deep1">deep</a>',
                "/site/a": '<img src="/image/site2.png"><img src="http://elsewhere.test/i.jpg"><a href="/site/index">back</a>',
                "/site/deep1": '<a href="/site/deep2">on</a>', "/site/deep2": '<a href="/site/deep3">on</a>', "/site/deep3": '<img src="/image/too-deep.jpg">',
                "/private/secret": '<img src="/image/private.jpg">',
            }
            if path not in pages:
                return self.send(404, b"no such page", "text/plain")
            return self.send(200, ("<html><body>%s</body></html>" % pages[path]).encode(), "text/html; charset=utf-8")
        if path.startswith("/page/"):
            names = [n for n in query.get("images", "").split(",") if n]
            return self.send(200, page(path[len("/page/"):], names), "text/html; charset=utf-8")
        if path.startswith("/links/"):
            count = int(path[len("/links/"):])
            body = "<html><body>" + "".join('<img src="/image/l%d.jpg">' % index for index in range(count)) + "</body></html>"
            return self.send(200, body.encode(), "text/html")
        if path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(48 << 20))
            self.end_headers()
            chunk = b"\0" * (1 << 20)
            try:
                for _ in range(48):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if path == "/broken.jpg":
            return self.send(200, image("broken", "jpg")[:400], "image/jpeg")
        if path.startswith("/cloak/"):
            if "Mozilla" in self.headers.get("User-Agent", ""):
                return self.send(404, {"error": "not found"})
            return self.send(200, content(path), "application/octet-stream")
        if path.startswith("/marker/"):
            # The marker is derived from the name, so it appears in what is served and
            # nowhere in the URL the gateway is given.
            text = path[len("/marker/"):]
            name = text[:-4] if text.endswith(".jpg") else text
            marker = hashlib.sha256(("marker-" + name).encode()).hexdigest()
            if text.endswith(".jpg"):
                return self.send(200, image("marker", "jpg", comment=marker.encode()), "image/jpeg")
            body = "<html><body><p>%s</p><img src=\"/marker/%s.jpg\"></body></html>" % (marker, name)
            return self.send(200, body.encode(), "text/html")
        if path.startswith("/redirect"):
            target = self.path.split("to=", 1)[1] if "to=" in self.path else "/"
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path.startswith("/gone/"):
            return self.send(404, {"error": "not found"})
        if path.startswith("/remove/"):
            url = "http://127.0.0.1:%d/content/%s" % (PORT, path[len("/remove/"):])
            with lock:
                if url not in state["removed"]:
                    state["removed"].append(url)
            return self.send(200, {"removed": url})
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


BIND = options[options.index("--bind") + 1] if "--bind" in options else "127.0.0.1"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    address_family = socket.AF_INET6 if ":" in BIND else socket.AF_INET


Server((BIND, PORT), Handler).serve_forever()
