#!/usr/bin/env python3
"""The web workbench under load: `recon serve` on a generated workspace (`recon-gen
--orders N --noise high`, imported and reconciled), then over loopback HTTP — the first
home page (the views computed once for this workspace state), the home page and the first
workbench page again, a page of 100 open items further on, an item's candidates, a
decision and its undo — and the server's memory at rest and with U users at once, each
with its own session, reading pages with varied filters. Needs a release build.

    python3 bench/web_bench.py [--orders 1000000] [--users 20] [--requests 30]
"""

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

from benchlib import OUT, PASSWORD, RECON, parse_args


class Client:
    """One browser: a session cookie, the CSRF token, no redirects followed."""

    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.token = None

    def request(self, method, path, fields=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {}
        body = None
        if self.cookie:
            headers["Cookie"] = self.cookie
        if fields is not None:
            body = urllib.parse.urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        took = time.perf_counter() - t0
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("recon_session="):
                self.cookie = v.split(";")[0]
        m = re.search(r'name="csrf-token" content="([0-9a-f]+)"', text)
        if m:
            self.token = m.group(1)
        if r.status >= 400:
            sys.exit(f"{method} {path}: {r.status} {text[:300]}")
        return took, text, r.getheader("Location")

    def login(self, user):
        self.request("GET", "/login")
        self.request("POST", "/login", {"csrf": self.token, "user": user, "password": PASSWORD})


def rss_mb(pid):
    """Resident and peak resident memory of a process, MB."""
    with open(f"/proc/{pid}/status") as fh:
        status = fh.read()
    get = lambda k: int(re.search(rf"{k}:\s+(\d+) kB", status).group(1)) / 1024
    return get("VmRSS"), get("VmHWM")


def prepare(orders):
    """A generated, imported and reconciled workspace (made once per size)."""
    base = os.path.join(OUT, f"web-{orders}")
    ws = os.path.join(base, "ws")
    env = {**os.environ, "RECON_PASSWORD": PASSWORD, "RECON_USER": "admin"}
    if os.path.exists(os.path.join(base, "ready")):
        return ws, env
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    gen = os.path.join(os.path.dirname(RECON), "recon-gen")
    data = os.path.join(base, "data")
    t0 = time.perf_counter()
    subprocess.run([gen, "--orders", str(orders), "--noise", "high", "--seed", "7", "--out", data], check=True,
                   capture_output=True)
    print(f"generated {orders} orders in {time.perf_counter() - t0:.0f} s")
    files = [os.path.join(d, f) for d, _, fs in os.walk(data) for f in fs if "truth" not in d and not f.endswith(".md")]
    subprocess.run([RECON, "--workspace", ws, "--user", "admin", "init"], env=env, check=True, capture_output=True)
    t0 = time.perf_counter()
    subprocess.run([RECON, "--workspace", ws, "import", "--no-progress", *files], env=env, check=True, capture_output=True)
    print(f"imported {len(files)} files in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    subprocess.run([RECON, "--workspace", ws, "reconcile", "--no-progress"], env=env, check=True, capture_output=True)
    print(f"reconciled in {time.perf_counter() - t0:.0f} s")
    open(os.path.join(base, "ready"), "w").close()
    return ws, env


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--requests", type=int, default=30, help="pages each user reads under load")
    args = parse_args(ap)
    ws, env = prepare(args.orders)
    server = subprocess.Popen([RECON, "--workspace", ws, "serve", "--listen", "127.0.0.1:0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
        rows = []
        c = Client(port)
        c.login("admin")
        rows.append(("server at rest after login (RSS, peak MB)", "%.0f / %.0f" % rss_mb(server.pid)))
        t, _, _ = c.request("GET", "/")
        rows.append(("home, first (views computed for this state)", f"{t * 1000:.0f} ms"))
        t, _, _ = c.request("GET", "/")
        rows.append(("home again", f"{t * 1000:.0f} ms"))
        t, page, _ = c.request("GET", "/workbench")
        rows.append(("workbench, first page", f"{t * 1000:.0f} ms"))
        t, _, _ = c.request("GET", "/workbench")
        rows.append(("workbench again", f"{t * 1000:.0f} ms"))
        t, _, _ = c.request("GET", "/workbench?lp=3&rp=3")
        rows.append(("a page of 100 open items further on (both panes)", f"{t * 1000:.0f} ms"))
        ids = re.findall(r'data-kind="(payout|order)" data-id="([^"]+)"', page)
        lines = re.findall(r'data-kind="bank" data-id="([^"]+)"', page)
        kind, item = ids[0]
        t, _, _ = c.request("GET", "/workbench?" + urllib.parse.urlencode({"sel": f"{kind}:{item}"}))
        rows.append(("an item's candidates", f"{t * 1000:.0f} ms"))
        t, _, _ = c.request("GET", "/workbench?q=" + urllib.parse.quote(item[:6]) + "&min=10&max=5000")
        rows.append(("a filtered, searched page", f"{t * 1000:.0f} ms"))
        rows.append(("server after the views computed (RSS, peak MB)", "%.0f / %.0f" % rss_mb(server.pid)))
        for name, path in [("collections: status summary and orders", "/collections"),
                           ("collections filtered (platform, status)", "/collections?platform=tmall&status=overdue"),
                           ("collections: overdue follow-up", "/collections?tab=follow_up"),
                           ("collections: aging with its chart", "/collections?tab=aging"),
                           ("report: collection summary", "/reports/collection_summary"),
                           ("report: bank reconciliation statement", "/reports/bank_reconciliation"),
                           ("analysis (every section, charts)", "/analysis"),
                           ("SQL page: a grouped query", "/sql?sql=" + urllib.parse.quote(
                               "SELECT platform, status, count(*) AS orders, sum(outstanding) AS outstanding "
                               "FROM receivables GROUP BY 1, 2 ORDER BY 1, 2"))]:
            c.request("GET", path)
            t, text, _ = c.request("GET", path)
            rows.append((name, f"{t * 1000:.0f} ms"))
            if path == "/reports/collection_summary":
                drill = re.search(r'class="drill" href="([^"]+)"', text).group(1)
                drill = drill.replace("&amp;", "&").replace("&#x2f;", "/")
                t, text, _ = c.request("GET", drill)
                rows.append(("drill-down: the orders behind a summary row", f"{t * 1000:.0f} ms"))
                order = re.search(r'explain\?id=([^"&]+)"', text).group(1)
                t, _, _ = c.request("GET", "/explain?id=" + order)
                rows.append(("an order's trail (explain)", f"{t * 1000:.0f} ms"))
        t, _, _ = c.request("POST", "/export", {"csrf": c.token, "what": "sql", "format": "xlsx",
                                                "sql": "SELECT * FROM receivables ORDER BY order_id LIMIT 100000"})
        rows.append(("export of 100,000 receivables to xlsx", f"{t * 1000:.0f} ms"))

        times = []
        lock = threading.Lock()
        pages = ["/", "/workbench", "/workbench?lp=1", "/workbench?rp=2", "/workbench?min=100&max=900",
                 "/workbench?q=20", "/imports"]

        def user(n):
            u = Client(port)
            u.login("admin")
            for i in range(args.requests):
                t, _, _ = u.request("GET", pages[(n + i) % len(pages)])
                with lock:
                    times.append(t)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        times.sort()
        rows.append((f"{args.users} users at once, {len(times)} pages: median / p95 / max",
                     f"{statistics.median(times) * 1000:.0f} / {times[int(len(times) * 0.95)] * 1000:.0f} / {times[-1] * 1000:.0f} ms"))
        rows.append((f"{args.users} users: pages per second", f"{len(times) / wall:.1f}"))
        rows.append((f"server after {args.users} users (RSS, peak MB)", "%.0f / %.0f" % rss_mb(server.pid)))
        t, _, _ = c.request("POST", "/decide", {"csrf": c.token, "action": "writeoff", "reason": "bench",
                                                "left": f"{kind}:{item}", "back": "/workbench"})
        rows.append(("a decision (write off one item)", f"{t * 1000:.0f} ms"))
        t, text, _ = c.request("GET", "/workbench")
        rows.append(("workbench after the decision (views computed anew)", f"{t * 1000:.0f} ms"))
        undo = re.findall(r'name="id" value="(\d+)"', text)
        t, _, _ = c.request("POST", "/decide/undo", {"csrf": c.token, "id": undo, "back": "/workbench"})
        rows.append(("undo of the decision", f"{t * 1000:.0f} ms"))

    finally:
        server.terminate()
        server.wait()
    print(f"\nrecon serve, {args.orders} orders (recon-gen --noise high):")
    width = max(len(r[0]) for r in rows)
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")


if __name__ == "__main__":
    main()
