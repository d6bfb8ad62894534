#!/usr/bin/env python3
"""Checks dpconform's HTML pages in headless Chromium through the DevTools
protocol (a small stdlib-only WebSocket client, no PyPI needed):

- the page loads from file:// and renders its items, with no console error,
  no uncaught exception and no request to anything but the page itself;
- typing into the filter box (real Input.insertText, as a keyboard would) hides
  exactly the items whose text does not contain the words typed, and the
  status menu filters by status;
- with every case expanded, no step container has a background of its own
  (a status colour belongs on the badge only: on the container it turned whole
  steps into solid red or green blocks that hid the badge and the duration),
  and every badge stands out from what it sits on;
- optionally (`causes`), the table of failures by cause, above the matrix, names these.

usage: cdp_check.py CHROMIUM SPEC.json SCREENSHOT_DIR
SPEC is a list of {"page": path, "expect_initial": [names],
"typing": [{"text": "...", "status": "all"|null, "expect": [names]}],
"causes": ["text", ...] (optional), "screenshot": "name.png" (optional)}.
The screenshot is taken with the first item expanded.
Prints one `ok`/`FAILED` line per assertion and `N passed, N failed` last.
"""

import base64
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: text frames, masked client frames."""

    def __init__(self, url):
        parsed = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((parsed.hostname, parsed.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {parsed.path} HTTP/1.1\r\nHost: {parsed.hostname}:{parsed.port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"DevTools refused the WebSocket: {head[:200]!r}")
        self.buffer = b""

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0x9, 0xA):
                continue
            message += data
            if b0 & 0x80:
                return message.decode()


class Session:
    def __init__(self, ws, session_id=None):
        self.ws, self.session_id, self.next_id, self.events = ws, session_id, 0, []

    def call(self, method, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if self.session_id:
            message["sessionId"] = self.session_id
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id and reply.get("sessionId") == self.session_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for event in self.events:
                if event.get("method") == method:
                    self.events.remove(event)
                    return event
            self.events.append(json.loads(self.ws.recv()))
        raise RuntimeError(f"no {method} within {timeout} s")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")


# Every step container and the background it paints, and every badge with its
# background and the background of the nearest ancestor that paints one.
STEP_STYLES = """
(() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const painted = e => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      const bg = getComputedStyle(p).backgroundColor;
      if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') { return bg; }
    }
    return 'rgb(255, 255, 255)';
  };
  const steps = Array.from(document.querySelectorAll('.step')).map(s => getComputedStyle(s).backgroundColor);
  const badges = Array.from(document.querySelectorAll('.badge')).filter(b => b.getClientRects().length > 0)
    .map(b => [getComputedStyle(b).backgroundColor, painted(b)]);
  document.querySelectorAll('details').forEach(d => { d.open = false; });
  return {steps: steps, badges: badges};
})()
"""

VISIBLE = """
Array.from(document.querySelectorAll('.item'))
  .filter(e => !e.hidden && e.offsetParent !== null && e.getBoundingClientRect().height > 0)
  .map(e => e.querySelector('code').textContent)
"""


def start_chromium(chromium):
    profile = tempfile.mkdtemp(prefix="dpconform-chromium-")
    args = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        "--enable-logging=stderr", "--v=0", "about:blank",
    ]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        match = re.search(r"DevTools listening on (ws://\S+)", line)
        if match:
            return process, match.group(1)
    process.kill()
    raise RuntimeError("Chromium did not start its DevTools endpoint")


def main():
    chromium, spec_path, shots = sys.argv[1], sys.argv[2], sys.argv[3]
    spec = json.load(open(spec_path))
    passed = failed = 0

    def check(what, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok      {what}")
        else:
            failed += 1
            print(f"FAILED  {what}{': ' + detail if detail else ''}")

    process, url = start_chromium(chromium)
    try:
        browser = Session(WebSocket(url))
        for page in spec:
            path = os.path.abspath(page["page"])
            name = os.path.basename(path)
            target = browser.call("Target.createTarget", url="about:blank")["targetId"]
            session_id = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            tab = Session(browser.ws, session_id)
            tab.events = browser.events  # one socket: events of all sessions land in one list
            for domain in ("Page", "Runtime", "Log", "Network"):
                tab.call(f"{domain}.enable")
            tab.call("Emulation.setDeviceMetricsOverride", width=1280, height=1000, deviceScaleFactor=1, mobile=False)
            tab.call("Page.navigate", url="file://" + path)
            tab.wait_for("Page.loadEventFired")
            time.sleep(0.3)

            title = tab.evaluate("document.title")
            check(f"{name}: renders (title {title!r})", bool(title) and title.startswith("dpconform"))
            visible = sorted(tab.evaluate(VISIBLE))
            check(f"{name}: shows {len(page['expect_initial'])} item(s) at first", visible == sorted(page["expect_initial"]),
                  f"visible {visible}")
            shown = tab.evaluate("document.getElementById('shown').textContent")
            check(f"{name}: says how many are shown ({shown!r})", shown.startswith(f"{len(visible)} of "))

            for step in page["typing"]:
                if step.get("status"):
                    tab.evaluate(
                        "(() => { const s = document.getElementById('status'); s.value = %s;"
                        " s.dispatchEvent(new Event('change')); })()" % json.dumps(step["status"])
                    )
                tab.evaluate("(() => { const f = document.getElementById('filter'); f.focus(); f.select(); })()")
                if step["text"]:
                    tab.call("Input.insertText", text=step["text"])
                else:
                    tab.call("Input.dispatchKeyEvent", type="keyDown", key="Backspace", code="Backspace",
                             windowsVirtualKeyCode=8)
                    tab.call("Input.dispatchKeyEvent", type="keyUp", key="Backspace", code="Backspace",
                             windowsVirtualKeyCode=8)
                time.sleep(0.1)
                typed = tab.evaluate("document.getElementById('filter').value")
                visible = sorted(tab.evaluate(VISIBLE))
                check(f"{name}: typing {step['text']!r} (status {step.get('status') or 'unchanged'}) shows "
                      f"exactly {sorted(step['expect'])}", typed == step["text"] and visible == sorted(step["expect"]),
                      f"filter {typed!r}, visible {visible}")

            # Every item shown: the filter emptied, the status menu on `all`.
            tab.evaluate("(() => { const f = document.getElementById('filter'); f.value = '';"
                         " const s = document.getElementById('status'); s.value = 'all';"
                         " s.dispatchEvent(new Event('change')); })()")
            styles = tab.evaluate(STEP_STYLES)
            if styles["steps"]:
                coloured = [bg for bg in styles["steps"] if bg not in ("rgba(0, 0, 0, 0)", "transparent")]
                check(f"{name}: no step container of {len(styles['steps'])} paints a background", not coloured,
                      f"backgrounds {sorted(set(coloured))}")
            hidden = [b for b in styles["badges"] if b[0] == b[1]]
            check(f"{name}: every badge ({len(styles['badges'])}) stands out from what it sits on", not hidden,
                  f"badge on the same colour: {hidden[:3]}")
            if page.get("causes"):
                table = tab.evaluate(
                    "(() => { const t = document.getElementById('causes'); return t ? t.textContent : ''; })()")
                before_matrix = tab.evaluate(
                    "(() => { const t = document.getElementById('causes'), m = document.getElementById('matrix');"
                    " return !!t && !!m && !!(t.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING); })()")
                missing = [c for c in page["causes"] if c not in table]
                check(f"{name}: failures by cause, above the matrix, name {page['causes']}", before_matrix and not missing,
                      f"missing {missing}; table {table[:300]!r}")

            # The screenshot: the page from the top, the first failed (else first) item expanded.
            tab.evaluate("(() => { const items = Array.from(document.querySelectorAll('.item'));"
                         " const i = items.find(e => e.dataset.status === 'failed') || items[0];"
                         " if (i) { i.querySelectorAll('details').forEach(d => { d.open = true; }); } })()")
            height = tab.evaluate("Math.min(document.documentElement.scrollHeight, 6000)")
            tab.call("Emulation.setDeviceMetricsOverride", width=1280, height=height, deviceScaleFactor=1, mobile=False)
            shot = tab.call("Page.captureScreenshot", format="png")
            with open(os.path.join(shots, page.get("screenshot", name + ".png")), "wb") as f:
                f.write(base64.b64decode(shot["data"]))

            events = browser.events
            errors = [e for e in events if e.get("sessionId") == session_id and (
                e.get("method") == "Runtime.exceptionThrown"
                or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") in ("error", "assert"))
                or (e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error"))]
            check(f"{name}: no console error or exception", not errors, json.dumps(errors)[:500])
            requests = [e["params"]["request"]["url"] for e in events
                        if e.get("sessionId") == session_id and e.get("method") == "Network.requestWillBeSent"]
            foreign = [u for u in requests if not (u == "file://" + path or u.startswith("data:"))]
            check(f"{name}: loads nothing but itself ({len(requests)} request(s))", not foreign, str(foreign))
            browser.call("Target.closeTarget", targetId=target)
            browser.events = [e for e in browser.events if e.get("sessionId") != session_id]
    finally:
        process.kill()
        process.wait()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
