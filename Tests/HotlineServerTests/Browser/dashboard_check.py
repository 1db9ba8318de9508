#!/usr/bin/env python3
"""Loads the dashboard in headless Chromium (Debian's package) through the DevTools
protocol: sets the session cookie, opens the page, and prints as JSON what a person would
see: the title, every data-stat number, and how many chart bars are drawn with a size.
Also saves a screenshot.

Usage: dashboard_check.py CHROMIUM BASE_URL SESSION SCREENSHOT.png  (SESSION: the hg_session value a sign-in gave)
"""
import base64
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devtools import Browser  # noqa: E402

chromium, base, token, screenshot = sys.argv[1:5]
with Browser(chromium) as browser:
    call = browser.call
    call("Page.enable")
    call("Network.enable")
    host = base.split("//", 1)[1].split("/")[0].split(":")[0]
    call("Network.setCookie", name="hg_session", value=token, domain=host, path="/dashboard", httpOnly=True)
    call("Page.navigate", url=base + "/dashboard")
    browser.wait_loaded()
    script = """(() => {
      const stats = {};
      document.querySelectorAll('[data-stat]').forEach(e => stats[e.dataset.stat] = e.textContent);
      const bars = Array.from(document.querySelectorAll('svg rect.bar'));
      const drawn = bars.filter(r => { const b = r.getBBox(); return b.width > 0 && b.height > 0; }).length;
      const nonzero = bars.filter(r => parseFloat(r.dataset.value) > 0).length;
      const charts = Array.from(document.querySelectorAll('svg')).map(s => ({id: s.id, width: s.getBoundingClientRect().width, bars: s.querySelectorAll('rect.bar').length}));
      return {title: document.title, url: location.pathname, stats, bars: bars.length, drawn, nonzero, charts,
              hosters: document.querySelectorAll('#hosters tbody tr').length, flagged: document.querySelectorAll('#hosters tr.flag').length};
    })()"""
    result = call("Runtime.evaluate", expression=script, returnByValue=True)["result"]["value"]
    shot = call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    with open(screenshot, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print(json.dumps(result))
