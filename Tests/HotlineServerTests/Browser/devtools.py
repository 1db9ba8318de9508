"""Headless Chromium (Debian's package) over the DevTools protocol, for the browser tests:
starts it on a free loopback port with a throwaway profile, connects to its page, and sends
commands; every event the page sends is handed to `on_event`."""
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import websocket


class Browser:
    def __init__(self, chromium, on_event=None):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.profile = tempfile.mkdtemp(prefix="hotline-chromium-")
        self.on_event = on_event or (lambda message: None)
        self.process = subprocess.Popen([
            chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=%d" % self.port, "--user-data-dir=" + self.profile,
            "--window-size=1280,2000", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.counter = 0
        self.ws = None

    def __enter__(self):
        target = None
        # A loaded machine (a build beside the tests) can take half a minute to start it.
        for _ in range(300):
            try:
                targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json" % self.port, timeout=1))
                target = next(t for t in targets if t.get("type") == "page")
                break
            except Exception:
                time.sleep(0.2)
        if target is None:
            self.close()
            raise SystemExit("chromium did not start")
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=30)
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def call(self, method, **params):
        self.counter += 1
        self.ws.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if "method" in message:
                self.on_event(message)
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError("%s: %s" % (method, message["error"]))
                return message.get("result", {})

    def wait_loaded(self, tries=100):
        """Waits (up to ten seconds) until the page has loaded and has a title."""
        for _ in range(tries):
            state = self.call("Runtime.evaluate", expression="document.readyState", returnByValue=True)["result"]["value"]
            title = self.call("Runtime.evaluate", expression="document.title", returnByValue=True)["result"]["value"]
            if state == "complete" and title:
                return
            time.sleep(0.1)

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")
