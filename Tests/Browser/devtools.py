"""A tiny Chrome DevTools Protocol client over --remote-debugging-pipe (fd 3: to the browser, fd 4: from it).

Python standard library only. Messages are JSON, each terminated by a NUL byte.
"""
import fcntl
import json
import os
import subprocess
import time


class Browser:
    # Every wait is bounded: a page that never loads fails the test instead of hanging CI.
    COMMAND_TIMEOUT_SECONDS = 30

    def __init__(self, executable="chromium", width=390, height=844):
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        # Moved above 4 first, so placing them at 3 and 4 in the child cannot clobber one with the other.
        to_browser_read = self._high(to_browser_read)
        from_browser_write = self._high(from_browser_write)
        # The child must see the pipes as fd 3 and 4.
        def arrange():
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)
        self.process = subprocess.Popen(
            [executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
             f"--window-size={width},{height}", "--user-data-dir=" + os.environ.get("BROWSER_PROFILE", "/tmp/tuition-browser-profile"),
             "about:blank"],
            preexec_fn=arrange, pass_fds=(3, 4, to_browser_read, from_browser_write),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.page("Page.enable")
        self.page("Runtime.enable")
        self.page("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 720})

    @staticmethod
    def _high(fd):
        moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
        os.close(fd)
        return moved

    def _send(self, message):
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")

    def _receive(self, deadline):
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("the browser did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("the browser closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._send(message)
        deadline = time.monotonic() + self.COMMAND_TIMEOUT_SECONDS
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def page(self, method, params=None):
        return self.call(method, params, session=self.session)

    def wait_for_load(self):
        deadline = time.monotonic() + self.COMMAND_TIMEOUT_SECONDS
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == "Page.loadEventFired":
                    del self.events[: index + 1]
                    return
            self.events.append(self._receive(deadline))

    def goto(self, url):
        self.events.clear()
        self.page("Page.navigate", {"url": url})
        self.wait_for_load()

    def evaluate(self, expression):
        """Runs `expression` in the page. DevTools evaluation is the tester's hand, not a page script: CSP does not apply."""
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def submit(self, fields, form_selector="main form"):
        """Fills `fields` (name -> value) of a form and submits it like a person pressing its button."""
        self.events.clear()
        self.evaluate(f"""(() => {{
            const form = document.querySelector({json.dumps(form_selector)});
            for (const [name, value] of Object.entries({json.dumps(fields)})) form.elements[name].value = value;
            form.querySelector('button[type=submit]').click();
        }})()""")
        self.wait_for_load()

    def text(self):
        return self.evaluate("document.body.innerText")

    def screenshot(self, path, full_page=True):
        params = {"format": "png"}
        if full_page:
            metrics = self.page("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1}
            params["captureBeyondViewport"] = True
        import base64
        data = base64.b64decode(self.page("Page.captureScreenshot", params)["data"])
        with open(path, "wb") as file:
            file.write(data)
        return data

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
