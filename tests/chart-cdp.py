#!/usr/bin/python3
"""tests/chart-cdp.py - open a page in headless Chromium and report, through
the DevTools protocol (--remote-debugging-pipe), every console message,
uncaught exception and network request it makes, then what the page says
about itself (the <body> data-* attributes the HTML report sets).

Usage: chart-cdp.py BROWSER FILE [SECONDS]
Prints lines "console LEVEL TEXT", "exception TEXT", "request URL",
"body KEY=VALUE", and "tip TEXT" (the text of #tip with the mouse over
the middle of #chart, lines joined by " | "); exits 0 when the page loaded, 1 otherwise.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

browser, page = sys.argv[1], os.path.abspath(sys.argv[2])
settle = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0

to_child_r, to_child_w = os.pipe()
from_child_r, from_child_w = os.pipe()
profile = tempfile.mkdtemp(prefix="ck-cdp.")


def child_fds():
    # The protocol pipe: commands on fd 3, replies on fd 4 (moved out of
    # the way first: either may be 3 or 4 already).
    a, b = os.dup(to_child_r), os.dup(from_child_w)
    os.dup2(a, 3)
    os.dup2(b, 4)


proc = subprocess.Popen(
    [browser, "--headless", "--no-sandbox", "--disable-gpu",
     "--disable-quic", "--no-first-run", "--disable-background-networking",
     "--disable-component-update", "--disable-sync",
     "--user-data-dir=" + profile, "--window-size=1400,1000",
     "--remote-debugging-pipe", "about:blank"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    preexec_fn=child_fds, pass_fds=(3, 4))
os.close(to_child_r)
os.close(from_child_w)
buf = b""
msgid = 0
events = []


def send(method, params=None, session=None):
    global msgid
    msgid += 1
    m = {"id": msgid, "method": method, "params": params or {}}
    if session:
        m["sessionId"] = session
    os.write(to_child_w, json.dumps(m).encode() + b"\0")
    return msgid


def read_one(deadline):
    global buf
    import select
    while b"\0" not in buf:
        left = deadline - time.time()
        if left <= 0:
            return None
        r, _, _ = select.select([from_child_r], [], [], left)
        if not r:
            return None
        chunk = os.read(from_child_r, 1 << 20)
        if not chunk:
            return None
        buf += chunk
    msg, buf = buf.split(b"\0", 1)
    return json.loads(msg)


def call(method, params=None, session=None, timeout=30):
    i = send(method, params, session)
    deadline = time.time() + timeout
    while True:
        m = read_one(deadline)
        if m is None:
            raise SystemExit("cdp: no reply to " + method)
        if m.get("id") == i:
            if "error" in m:
                raise SystemExit("cdp: %s: %s" % (method, m["error"]))
            return m.get("result", {})
        events.append(m)


def pump(seconds):
    deadline = time.time() + seconds
    while True:
        m = read_one(deadline)
        if m is None:
            return
        events.append(m)


ok = 1
try:
    t = call("Target.createTarget", {"url": "about:blank"})
    s = call("Target.attachToTarget", {"targetId": t["targetId"],
                                       "flatten": True})["sessionId"]
    for d in ("Runtime.enable", "Log.enable", "Network.enable",
              "Page.enable"):
        call(d, session=s)
    call("Page.navigate", {"url": "file://" + page}, session=s)
    deadline = time.time() + 60
    loaded = False
    while time.time() < deadline and not loaded:
        m = read_one(deadline)
        if m is None:
            break
        events.append(m)
        loaded = m.get("method") == "Page.loadEventFired"
    pump(settle)
    r = call("Runtime.evaluate", {"expression":
             "JSON.stringify(Object.assign({}, document.body.dataset))",
             "returnByValue": True}, session=s)
    body = json.loads(r["result"].get("value") or "{}")
    # The mouse over the middle of the chart: the tooltip's text.
    r = call("Runtime.evaluate", {"expression":
             "(function(){var e=document.getElementById('chart');"
             "if(!e)return null;var b=e.getBoundingClientRect();"
             "return [b.left+b.width/2,b.top+b.height/4];})()",
             "returnByValue": True}, session=s)
    xy = r["result"].get("value")
    if xy:
        call("Input.dispatchMouseEvent", {"type": "mouseMoved",
             "x": xy[0], "y": xy[1]}, session=s)
        pump(0.5)
        r = call("Runtime.evaluate", {"expression":
                 "(document.getElementById('tip')||{}).innerText||''",
                 "returnByValue": True}, session=s)
        print("tip", " | ".join(r["result"].get("value", "").split("\n")))
    for m in events:
        p = m.get("params", {})
        meth = m.get("method")
        if meth == "Runtime.consoleAPICalled":
            txt = " ".join(str(a.get("value", a.get("description", "")))
                           for a in p.get("args", []))
            print("console", p.get("type"), txt)
        elif meth == "Log.entryAdded":
            e = p["entry"]
            print("console", e.get("level"), e.get("text"))
        elif meth == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            print("exception", d.get("exception", {}).get("description",
                                                          d.get("text")))
        elif meth == "Network.requestWillBeSent":
            print("request", p["request"]["url"][:200])
    for k in sorted(body):
        print("body %s=%s" % (k, body[k]))
    ok = 0 if loaded else 1
    if not loaded:
        print("cdp: the page did not load", file=sys.stderr)
    try:
        send("Browser.close")
    except OSError:
        pass
finally:
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    subprocess.run(["rm", "-rf", profile])
sys.exit(ok)
