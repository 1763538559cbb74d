"""Screenshots of a running Odoo for the README (Chromium headless, DevTools protocol).

screenshot.py URL LOGIN PASSWORD DB OUT.png [PATH ...]
"""

import base64
import json
import subprocess
import sys
import tempfile
import time

import requests
import websocket


def main(base, login, password, db, out, path):
    session = requests.Session()
    session.post(
        f"{base}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}},
        timeout=60,
    ).raise_for_status()
    sid = session.cookies["session_id"]
    profile = tempfile.mkdtemp()
    browser = subprocess.Popen(
        [
            "chromium",
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-port=9333",
            f"--user-data-dir={profile}",
            "--window-size=1440,900",
            "--disable-background-networking",
            "--no-first-run",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _i in range(50):
            try:
                targets = requests.get("http://127.0.0.1:9333/json", timeout=1).json()
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:  # noqa: BLE001 - browser still starting
                time.sleep(0.2)
        ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        counter = iter(range(1, 10_000))

        def send(method, **params):
            ident = next(counter)
            ws.send(json.dumps({"id": ident, "method": method, "params": params}))
            while True:
                message = json.loads(ws.recv())
                if message.get("id") == ident:
                    return message.get("result", {})

        send("Network.enable")
        host = base.split("//")[1].split(":")[0]
        send("Network.setCookie", name="session_id", value=sid, domain=host, path="/")
        send(
            "Emulation.setDeviceMetricsOverride",
            width=1440,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        send("Page.navigate", url=f"{base}{path}")
        time.sleep(8)
        data = send("Page.captureScreenshot", format="png")["data"]
        with open(out, "wb") as handle:
            handle.write(base64.b64decode(data))
    finally:
        browser.terminate()


if __name__ == "__main__":
    main(*sys.argv[1:7])
