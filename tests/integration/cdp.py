#!/usr/bin/env python3
"""Drives a page of a running headless Chromium over its DevTools protocol
(standard library only: a minimal WebSocket client), for test_dashboard.sh.

usage: cdp.py USER_DATA_DIR SCRIPT_FILE
Reads the DevTools port from USER_DATA_DIR/DevToolsActivePort, attaches to
the first page and runs the steps of SCRIPT_FILE, one per line:
  wait EXPR         until the JavaScript EXPR is true (30 s at most)
  check EXPR        EXPR is true now
  eval EXPR         evaluate EXPR
  save NAME EXPR    evaluate EXPR and remember its value as NAME
  sleep S
  grows NAME EXPR   EXPR (a number) is now larger than the saved NAME
Fails (exit 1, one line) on a timeout, a false check, or any uncaught
exception or console.error on the page."""
import base64, json, os, socket, struct, sys, time, urllib.request


class Socket:
    def __init__(self, url):
        host, path = url[len("ws://"):].split("/", 1)
        name, port = host.split(":")
        self.s = socket.create_connection((name, int(port)), timeout=15)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, host, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.s.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            sys.exit("cdp: no websocket: %r" % head[:200])

    def send(self, text):
        data, mask = text.encode(), os.urandom(4)
        n = len(data)
        head = struct.pack("!B", 0x81) + (struct.pack("!B", 0x80 | n) if n < 126 else
                                          struct.pack("!BH", 0x80 | 126, n))
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.s.recv(n - len(out))
            if not chunk:
                sys.exit("cdp: connection closed")
            out += chunk
        return out

    def recv(self):
        message = b""
        while True:
            b0, b1 = self.exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self.exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self.exact(8))[0]
            message += self.exact(n)
            if b0 & 0x80:
                return message.decode()


class Page:
    def __init__(self, ws):
        self.ws, self.next_id, self.errors = ws, 0, []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == "Runtime.exceptionThrown":
                d = msg["params"]["exceptionDetails"]
                self.errors.append(d.get("exception", {}).get("description") or d.get("text"))
            elif msg.get("method") == "Runtime.consoleAPICalled" and msg["params"]["type"] == "error":
                self.errors.append(" ".join(str(a.get("value", a.get("description")))
                                            for a in msg["params"]["args"]))
            elif msg.get("id") == self.next_id:
                if "error" in msg:
                    sys.exit("cdp: %s: %s" % (method, msg["error"]))
                return msg["result"]

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            sys.exit("cdp: %s: %s" % (expr, r["exceptionDetails"].get("text")))
        return r["result"].get("value")


def attach(user_data_dir):
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            port = open(os.path.join(user_data_dir, "DevToolsActivePort")).read().split()[0]
            targets = json.load(urllib.request.urlopen("http://127.0.0.1:%s/json/list" % port, timeout=5))
            pages = [t for t in targets if t["type"] == "page"]
            if pages:
                return Page(Socket(pages[0]["webSocketDebuggerUrl"]))
        except (OSError, IndexError, ValueError):
            pass
        time.sleep(0.2)
    sys.exit("cdp: no DevTools page in %s" % user_data_dir)


def main():
    page = attach(sys.argv[1])
    page.call("Runtime.enable")
    saved = {}
    for line in open(sys.argv[2]):
        step, _, arg = line.strip().partition(" ")
        if step == "wait":
            deadline = time.time() + 30
            while not page.eval(arg):
                if time.time() > deadline:
                    sys.exit("cdp: timed out waiting for %s" % arg)
                time.sleep(0.2)
        elif step == "check":
            if not page.eval(arg):
                sys.exit("cdp: not so: %s" % arg)
        elif step == "eval":
            page.eval(arg)
        elif step == "save":
            name, _, expr = arg.partition(" ")
            saved[name] = page.eval(expr)
        elif step == "sleep":
            time.sleep(float(arg))
        elif step == "grows":
            name, _, expr = arg.partition(" ")
            now = page.eval(expr)
            if not float(now) > float(saved[name]):
                sys.exit("cdp: %s did not grow: %s -> %s" % (expr, saved[name], now))
        elif step:
            sys.exit("cdp: unknown step %r" % step)
    page.eval("1")  # Collects the events that came in meanwhile.
    if page.errors:
        sys.exit("cdp: errors on the page: %s" % page.errors)


main()
