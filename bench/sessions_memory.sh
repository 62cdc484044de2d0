#!/usr/bin/env bash
# WhatsApp sessions: memory per client and session timings, with the real binary against the
# project's fake WhatsApp Web page (tests/fixtures/fake-whatsapp, served here over loopback HTTP
# together with its remote-control endpoint).
#
#   memory:  one `wadesk --headless`; 0, 1, 5 and 10 clients created and initialized, all in qr,
#            then the PSS of the whole process tree (wadesk + its QtWebEngineProcess zygotes,
#            renderers, GPU/utility processes), summed from /proc/<pid>/smaps_rollup.
#   timings: RUNS times (default 7) on one instance: create + init a client, time until
#            GET /api/clients/:id/qr answers 200; the page reports the scan, time until the status
#            is ready; delete the client (its page goes, so exactly one page polls the control
#            endpoint). The fake's own sync delay is 0 here: the figure is WaDesk's overhead,
#            not WhatsApp's history sync.
# Needs root or the same user for smaps_rollup. SETTLE_S (default 5) is the pause before a
# memory sample.
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-7}
SETTLE_S=${SETTLE_S:-5}

machine_facts
echo "runs:    $RUNS (timings), settle ${SETTLE_S}s (memory)"
WADESK_BIN="$WADESK_BIN" RUNS="$RUNS" SETTLE_S="$SETTLE_S" FIXTURE="$BENCH_ROOT/tests/fixtures/fake-whatsapp" python3 - <<'PY'
import http.server, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time
import urllib.parse, urllib.request

binary = os.environ["WADESK_BIN"]
runs = int(os.environ["RUNS"])
settle = float(os.environ["SETTLE_S"])
fixture = os.environ["FIXTURE"]

# ---- the fake page and its control endpoint --------------------------------------------------
queues, results, served, lock = {}, {}, {}, threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def send(self, status, body=b"", ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        session = urllib.parse.parse_qs(url.query).get("session", [""])[0]
        if url.path == "/next":
            with lock:
                cmds = queues.pop(session, [])
                if cmds:
                    served.setdefault(session, []).append(time.perf_counter())
            return self.send(200, json.dumps(cmds).encode())
        name = "index.html" if url.path in ("/", "") else url.path.lstrip("/")
        path = os.path.join(fixture, name)
        if "/" in name or not os.path.isfile(path):
            return self.send(404, b"not found", "text/plain")
        with open(path, "rb") as f:
            body = f.read()
        self.send(200, body, "text/html" if name.endswith(".html") else "text/javascript")
    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        session = urllib.parse.parse_qs(url.query).get("session", [""])[0]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        if url.path == "/result":
            with lock:
                for r in json.loads(body or b"[]"):
                    results.setdefault(session, []).append((time.perf_counter(), r))
        self.send(204, b"", "text/plain")

fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=fake.serve_forever, daemon=True).start()
fake_base = f"http://127.0.0.1:{fake.server_address[1]}"

def page_url(control):
    q = {"readyMs": "50", "qrFirstMs": "600000", "qrNextMs": "600000", "qrMax": "1000", "syncMs": "0"}
    if control:
        q.update(control=fake_base, session="bench")
    return f"{fake_base}/index.html?" + urllib.parse.urlencode(q)

# ---- the binary --------------------------------------------------------------------------------
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

class App:
    def __init__(self, url):
        self.sandbox = tempfile.mkdtemp(prefix="wadesk-sessions-")
        os.makedirs(f"{self.sandbox}/runtime", mode=0o700)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WADESK_", "QTWEBENGINE_")) and k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DBUS_SESSION_BUS_ADDRESS")}
        env.update(HOME=self.sandbox, XDG_CONFIG_HOME=f"{self.sandbox}/config", XDG_DATA_HOME=f"{self.sandbox}/share",
                   XDG_CACHE_HOME=f"{self.sandbox}/cache", XDG_RUNTIME_DIR=f"{self.sandbox}/runtime",
                   WADESK_SECRETS_BACKEND="file", WADESK_PASSWORD_HASH_COST="min", WADESK_LOG_LEVEL="warn",
                   WADESK_WA_URL=url, WADESK_INJECT_WAJS="0", WADESK_HEALTH_CACHE_MS="0")
        self.port = free_port()
        self.proc = subprocess.Popen([binary, "--headless", "--data-dir", f"{self.sandbox}/data", "--port", str(self.port)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.call("GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("wadesk did not start")
        status, body = self.call("POST", "/api/auth/register", {"email": "bench@example.test", "password": "correct-horse-1",
                                                               "name": "Bench", "organization_name": "Bench"})
        assert status == 201, body
        self.key = body["api_key"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if getattr(self, "key", None):
            req.add_header("X-API-Key", self.key)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw[:1] == b"{" else raw)
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, (json.loads(raw) if raw[:1] == b"{" else raw)

    def new_client(self, name):
        status, body = self.call("POST", "/api/clients", {"name": name})
        assert status == 201, body
        cid = body["client"]["id"]
        status, body = self.call("POST", f"/api/clients/{cid}/init", {})
        assert status == 200, body
        return cid

    def status(self, cid):
        return self.call("GET", f"/api/clients/{cid}/status")[1].get("status")

    def wait(self, pred, timeout=120, step=0.02):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if pred():
                return True
            time.sleep(step)
        raise SystemExit("timed out")

    def pss_kb(self):
        def children(pid):
            out = []
            try:
                for tid in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{tid}/children") as f:
                        for c in f.read().split():
                            out.append(int(c)); out.extend(children(int(c)))
            except OSError:
                pass
            return out
        total, count = 0, 0
        for pid in [self.proc.pid] + children(self.proc.pid):
            try:
                with open(f"/proc/{pid}/smaps_rollup") as f:
                    for line in f:
                        if line.startswith("Pss:"):
                            total += int(line.split()[1]); count += 1
            except OSError:
                pass
        return total, count

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.sandbox, ignore_errors=True)

# ---- memory -------------------------------------------------------------------------------------
app = App(page_url(control=False))
clients, samples = [], []
try:
    for target in (0, 1, 5, 10):
        while len(clients) < target:
            clients.append(app.new_client(f"client {len(clients) + 1}"))
        app.wait(lambda: all(app.status(c) == "qr" for c in clients))
        time.sleep(settle)
        kb, procs = app.pss_kb()
        samples.append((target, kb, procs))
finally:
    app.close()
print()
print("memory (PSS of wadesk and all its descendants, all clients in qr):")
print(f"{'clients':>8} {'processes':>10} {'PSS MB':>9} {'MB/client over 0':>18} {'MB/client marginal':>19}")
base = samples[0][1]
prev = samples[0]
for n, kb, procs in samples:
    per = f"{(kb - base) / 1024 / n:.1f}" if n else "-"
    marginal = f"{(kb - prev[1]) / 1024 / (n - prev[0]):.1f}" if n > prev[0] else "-"
    print(f"{n:>8} {procs:>10} {kb / 1024:>9.1f} {per:>18} {marginal:>19}")
    prev = (n, kb, procs)

# ---- timings ------------------------------------------------------------------------------------
app = App(page_url(control=True))
to_qr, to_ready = [], []
try:
    for i in range(runs):
        start = time.perf_counter()
        cid = app.new_client(f"timing {i}")
        app.wait(lambda: app.call("GET", f"/api/clients/{cid}/qr")[0] == 200, step=0.01)
        to_qr.append((time.perf_counter() - start) * 1000)
        with lock:
            before = len(results.get("bench", []))
            handed = len(served.get("bench", []))
            queues.setdefault("bench", []).append({"cmd": "scan", "args": ["14155552671"]})
        # From the moment the page receives the scan command (it runs it at once) to the first
        # status read that says ready.
        app.wait(lambda: len(served.get("bench", [])) > handed, step=0.001)
        scanned_at = served["bench"][handed]
        app.wait(lambda: app.status(cid) == "ready", step=0.002)
        to_ready.append((time.perf_counter() - scanned_at) * 1000)
        app.wait(lambda: len(results.get("bench", [])) > before, step=0.005)
        result = results["bench"][before][1]
        assert result.get("ok") and result["result"].get("ok"), result
        assert app.call("DELETE", f"/api/clients/{cid}")[0] == 200
        time.sleep(1)
finally:
    app.close()
fake.shutdown()
print()
print(f"init → QR available (ms): median {statistics.median(to_qr):.0f}, first {to_qr[0]:.0f}, max {max(to_qr):.0f}; all {[round(t) for t in to_qr]}")
print(f"scan → ready (ms, fake sync 0 ms): median {statistics.median(to_ready):.0f}, max {max(to_ready):.0f}; all {[round(t) for t in to_ready]}")
PY
