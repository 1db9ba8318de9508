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
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devtools import Browser  # noqa: E402

chromium, base, steps = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
requests = []
pages = []


def record(message):
    if message.get("method") == "Network.requestWillBeSent":
        requests.append(message["params"]["request"]["url"])


with Browser(chromium, on_event=record) as browser:
    call = browser.call
    evaluate = browser.evaluate

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
