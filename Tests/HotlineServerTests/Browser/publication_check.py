#!/usr/bin/env python3
"""Opens a published statistics site (a file:// URL) in headless Chromium (Debian's
package) through the DevTools protocol and prints as JSON what a reader sees: the title,
every data-stat number, the tables' rows, the survival charts with the size their curves
are drawn at, and whether the visible text holds anything like a URL.

Usage: publication_check.py CHROMIUM FILE_URL
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devtools import Browser  # noqa: E402

chromium, url = sys.argv[1:3]
with Browser(chromium) as browser:
    call = browser.call
    call("Page.enable")
    call("Page.navigate", url=url)
    browser.wait_loaded()
    script = """(() => {
      const stats = {};
      document.querySelectorAll('[data-stat]').forEach(e => { if (!(e.dataset.stat in stats)) stats[e.dataset.stat] = e.textContent; });
      const rows = id => Array.from(document.querySelectorAll('#' + id + ' tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent));
      const charts = Array.from(document.querySelectorAll('svg[data-curve]')).map(s => {
        const curve = s.querySelector('path.curve').getBBox();
        return {curve: s.dataset.curve, width: s.getBoundingClientRect().width, drawnWidth: curve.width, drawnHeight: curve.height};
      });
      const text = document.body.innerText;
      return {title: document.title, stats, cooperating: rows('cooperating'), listed: rows('comply-or-explain'), survival: rows('survival'),
              charts, draft: !!document.getElementById('draft'), stylesheet: getComputedStyle(document.querySelector('table')).borderCollapse,
              urlLike: /https?:|hxxp|www\\./i.test(text), text: text.length};
    })()"""
    result = call("Runtime.evaluate", expression=script, returnByValue=True)["result"]["value"]
    print(json.dumps(result))
