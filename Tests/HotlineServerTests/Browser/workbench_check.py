#!/usr/bin/env python3
"""Drives the analysts' workbench in headless Chromium (Debian's package) through the
DevTools protocol, as a person would: a list of steps in, a JSON record of every page out.

Usage: workbench_check.py CHROMIUM BASE_URL STEPS_JSON

Steps (a JSON array): {"go": PATH}, {"cookie": SESSION}, {"fill": SELECTOR, "value": TEXT},
{"choose": SELECTOR, "value": OPTION}, {"click": SELECTOR} (waits for the next page),
{"remove": SELECTOR}. After every page load it records the path, the title, the status and
error messages, every element that could show material (img, video, iframe, object,
embed, audio, picture, source, canvas), every link target, and the visible text. Every
request the browser made is listed too, so a test can see that none left the gateway.
"""
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

chromium, base, steps = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
profile = tempfile.mkdtemp(prefix="hotline-chromium-")
browser = subprocess.Popen([
    chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=%d" % port, "--user-data-dir=" + profile,
    "--window-size=1280,2000", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
requests = []
pages = []
try:
    target = None
    for _ in range(150):
        try:
            targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json" % port, timeout=1))
            target = next(t for t in targets if t.get("type") == "page")
            break
        except Exception:
            time.sleep(0.2)
    if target is None:
        sys.exit("chromium did not start")
    ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=30)
    counter = [0]

    def call(method, **params):
        counter[0] += 1
        ws.send(json.dumps({"id": counter[0], "method": method, "params": params}))
        while True:
            message = json.loads(ws.recv())
            if message.get("method") == "Network.requestWillBeSent":
                requests.append(message["params"]["request"]["url"])
            if message.get("id") == counter[0]:
                if "error" in message:
                    raise RuntimeError("%s: %s" % (method, message["error"]))
                return message.get("result", {})

    def evaluate(expression):
        return call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def settle():
        for _ in range(200):
            if evaluate("window.__hotlineStep === undefined && document.readyState === 'complete'"):
                break
            time.sleep(0.05)
        record = evaluate("""(() => {
          const text = s => { const e = document.querySelector(s); return e ? e.textContent.trim() : null; };
          return {path: location.pathname + location.search, title: document.title,
                  done: text('.done'), error: text('.error'),
                  media: document.querySelectorAll('img,video,iframe,object,embed,audio,picture,source,canvas,frame').length,
                  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
                  forms: Array.from(document.querySelectorAll('form')).map(f => f.getAttribute('action')),
                  text: document.body ? document.body.innerText : ''};
        })()""")
        pages.append(record)

    def mark():
        evaluate("window.__hotlineStep = 1")

    call("Page.enable")
    call("Network.enable")
    host = base.split("//", 1)[1].split("/")[0].split(":")[0]
    for step in steps:
        if "go" in step:
            mark()
            call("Page.navigate", url=base + step["go"])
            settle()
        elif "cookie" in step:
            call("Network.setCookie", name="hg_session", value=step["cookie"], domain=host, path="/dashboard", httpOnly=True)
        elif "fill" in step:
            evaluate("document.querySelector(%s).value = %s" % (json.dumps(step["fill"]), json.dumps(step["value"])))
        elif "choose" in step:
            evaluate("document.querySelector(%s).value = %s" % (json.dumps(step["choose"]), json.dumps(step["value"])))
        elif "remove" in step:
            evaluate("document.querySelectorAll(%s).forEach(e => e.remove())" % json.dumps(step["remove"]))
        elif "click" in step:
            mark()
            found = evaluate("(() => { const e = document.querySelector(%s); if (!e) return false; e.click(); return true; })()" % json.dumps(step["click"]))
            if not found:
                pages.append({"path": None, "missing": step["click"]})
                continue
            time.sleep(0.1)
            settle()
    print(json.dumps({"pages": pages, "requests": requests}))
finally:
    browser.kill()
    browser.wait()
    shutil.rmtree(profile, ignore_errors=True)
