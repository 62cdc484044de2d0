#!/usr/bin/env python3
"""Analytics at 1,000,000 messages (issue 12, "Model and speed"), with the real binary over real
HTTP, on SQLite and on PostgreSQL (a throwaway cluster). See bench/README.md for the figures.

For each database: wadesk --headless on a fresh data directory, one organization registered and
CLIENTS clients created through the API; wadesk stopped; bench/analytics_data.py writes MESSAGES
messages over DAYS days (multi-row INSERTs, through the roll-up triggers); wadesk started again
and, on one keep-alive connection with the organization's API key (REPEAT requests after 3
warm-ups, median and p90 of the round trip):
  stats; metrics for the last 30 days; metrics for 90 days of one client; the per-client table
  for 90 days; the first history page of a client (limit=50); then the export of every message
  (CSV, streamed): time to the last byte and the growth of the process's peak RSS (VmHWM reset
  just before).
Then send-message throughput with and without the analytics triggers (roll-ups and response-run
changes), in one run on a fresh
database with one client linked to the fake WhatsApp page: wrk (THREADS, CONNECTIONS, DURATION)
on POST send-message, ROUNDS rounds alternating "triggers dropped" (today's write path) and
"triggers on"; the ratio of the means.

  WADESK_BIN=build/app/wadesk DBS="sqlite postgres" MESSAGES=1000000 DAYS=90 CLIENTS=10 REPEAT=30
  ROUNDS=2 CONNECTIONS=50 THREADS=2 DURATION=10s python3 bench/analytics_bench.py
"""
import glob, http.client, http.server, json, os, pwd, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.parse
import statistics, datetime

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
binary = os.environ.get("WADESK_BIN", f"{root}/build/app/wadesk")
fixture = f"{root}/tests/fixtures/fake-whatsapp"
dbs = os.environ.get("DBS", "sqlite postgres").split()
messages = int(os.environ.get("MESSAGES", "1000000"))
days = int(os.environ.get("DAYS", "90"))
clients_n = int(os.environ.get("CLIENTS", "10"))
repeat = int(os.environ.get("REPEAT", "30"))
rounds = int(os.environ.get("ROUNDS", "2"))
connections, threads, duration = os.environ.get("CONNECTIONS", "50"), os.environ.get("THREADS", "2"), os.environ.get("DURATION", "10s")
sections = os.environ.get("SECTIONS", "read send").split()

# ---- the fake page and its control endpoint --------------------------------------------------
queues, lock = {}, threading.Lock()

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
            return self.send(200, json.dumps(cmds).encode())
        name = "index.html" if url.path in ("/", "") else url.path.lstrip("/")
        path = os.path.join(fixture, name)
        if "/" in name or not os.path.isfile(path):
            return self.send(404, b"not found", "text/plain")
        with open(path, "rb") as f:
            body = f.read()
        self.send(200, body, "text/html" if name.endswith(".html") else "text/javascript")
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        self.send(204, b"", "text/plain")

fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=fake.serve_forever, daemon=True).start()
fake_base = f"http://127.0.0.1:{fake.server_address[1]}"

def page_url(**timings):
    q = {"readyMs": "50", "qrFirstMs": "600000", "qrMax": "1000", "syncMs": "100", "pollMs": "100",
         "control": fake_base, "session": "bench"}
    q.update({k: str(v) for k, v in timings.items()})
    return f"{fake_base}/index.html?" + urllib.parse.urlencode(q)

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

# ---- a throwaway PostgreSQL cluster ----------------------------------------------------------------
class Postgres:
    def __init__(self, directory=None):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]), reverse=True)
        if not bins:
            raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.bin = os.path.dirname(bins[0])
        self.kept = directory is not None
        existing = self.kept and os.path.exists(f"{directory}/data/PG_VERSION")
        if self.kept:
            os.makedirs(directory, exist_ok=True)
            self.dir = directory
        else:
            self.dir = tempfile.mkdtemp(prefix="wadesk-bench-pg-")
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = f"{self.dir}/data"
        self.port = free_port()
        if not existing:
            self.run([f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"])
        self.run([f"{self.bin}/pg_ctl", "-D", self.data, "-l", f"{self.dir}/server.log", "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=50", "start"])
        if not existing:
            self.run([f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "wadesk"])
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/wadesk"
    def run(self, cmd):
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd="/tmp")
    def close(self):
        try:
            self.run([f"{self.bin}/pg_ctl", "-D", self.data, "-m", "fast" if self.kept else "immediate", "-w", "stop"])
        finally:
            if not self.kept:
                shutil.rmtree(self.dir, ignore_errors=True)

# ---- the binary --------------------------------------------------------------------------------
class App:
    def __init__(self, sandbox, extra_env, wa_url=None):
        self.sandbox = sandbox
        os.makedirs(f"{sandbox}/runtime", mode=0o700, exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WADESK_", "QTWEBENGINE_")) and k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DBUS_SESSION_BUS_ADDRESS")}
        env.update(HOME=sandbox, XDG_CONFIG_HOME=f"{sandbox}/config", XDG_DATA_HOME=f"{sandbox}/share",
                   XDG_CACHE_HOME=f"{sandbox}/cache", XDG_RUNTIME_DIR=f"{sandbox}/runtime",
                   WADESK_SECRETS_BACKEND="file", WADESK_PASSWORD_HASH_COST="min", WADESK_LOG_LEVEL="warn",
                   WADESK_HEALTH_CACHE_MS="0")
        if wa_url:
            env.update(WADESK_WA_URL=wa_url, WADESK_INJECT_WAJS="0")
        env.update(extra_env)
        self.port = free_port()
        self.log = open(f"{sandbox}/wadesk.out", "ab")
        self.proc = subprocess.Popen([binary, "--headless", "--data-dir", f"{sandbox}/data", "--port", str(self.port)],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.key = None
        self.conn = None
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if self.call("GET", "/health")[0] == 200:
                    break
            except OSError:
                self.conn = None
            if self.proc.poll() is not None:
                raise SystemExit("wadesk exited:\n" + open(f"{sandbox}/wadesk.out").read()[-3000:])
            time.sleep(0.1)
        else:
            raise SystemExit("wadesk did not start")

    def register(self):
        status, body = self.call("POST", "/api/auth/register", {"email": "bench@example.test", "password": "correct-horse-1",
                                                               "name": "Bench", "organization_name": "Bench"})
        assert status == 201, body
        self.key = body["api_key"]

    def call(self, method, path, body=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.key:
            headers["X-API-Key"] = self.key
        try:
            self.conn.request(method, path, body=data, headers=headers)
            r = self.conn.getresponse()
            raw = r.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise OSError("request failed")
        return r.status, (json.loads(raw) if raw[:1] == b"{" else raw)

    def wait(self, pred, what, timeout=120, step=0.02):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if pred():
                return
            time.sleep(step)
        raise SystemExit(f"timed out waiting for {what}")

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def rss(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def timed(app, path, n):
    # Routes that pair responses over the raw rows take seconds at 1M: one warm-up, n requests.
    for _ in range(3 if n > 3 else 1):
        status, body = app.call("GET", path)
        assert status == 200, (path, status, body)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        status, _ = app.call("GET", path)
        samples.append((time.perf_counter() - t0) * 1000)
        assert status == 200
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.9))]


results = []
signal.signal(signal.SIGTERM, lambda *args: sys.exit(1))


def read_side(db):
    pg = None
    store = os.environ.get("STORE")  # keep the generated store there and reuse it on the next run
    sandbox = f"{store}/{db}" if store else tempfile.mkdtemp(prefix="wadesk-bench-analytics-")
    ready = f"{sandbox}/ready.json"
    extra = {}
    try:
        if store and os.path.exists(ready):
            with open(ready) as f:
                kept = json.load(f)
            if db == "postgres":
                pg = Postgres(f"{sandbox}/pg")
                extra["WADESK_DB"] = pg.url
            return measure(db, sandbox, extra, kept["key"], kept["client_ids"], kept["generated"])
        if db == "postgres":
            try:
                pg = Postgres(f"{sandbox}/pg" if store else None)
            except (RuntimeError, subprocess.CalledProcessError) as e:
                print(f"\npostgres: skipped ({e})")
                return
            extra["WADESK_DB"] = pg.url
        app = App(sandbox, extra)
        app.register()
        client_ids = []
        for i in range(clients_n):
            status, body = app.call("POST", "/api/clients", {"name": f"Bench client {i + 1}", "phone_number": f"+1415555{2600 + i:04d}"})
            assert status == 201, body
            client_ids.append(body["client"]["id"])
        key = app.key
        app.close()
        target = pg.url if pg else f"{sandbox}/data/wadesk.db"
        t0 = time.time()
        subprocess.run([sys.executable, f"{here}/analytics_data.py", "--db", target, "--messages", str(messages), "--days", str(days)],
                       check=True)
        generated = time.time() - t0
        if store:
            with open(ready, "w") as f:
                json.dump({"key": key, "client_ids": client_ids, "generated": generated}, f)
        measure(db, sandbox, extra, key, client_ids, generated)
    finally:
        if pg:
            pg.close()
        if not store:
            shutil.rmtree(sandbox, ignore_errors=True)


def measure(db, sandbox, extra, key, client_ids, generated):
        app = App(sandbox, extra)
        app.key = key
        try:
            today = datetime.datetime.now(datetime.timezone.utc).date()
            d30 = (today - datetime.timedelta(days=29)).isoformat()
            d90 = (today - datetime.timedelta(days=89)).isoformat()
            first = (today - datetime.timedelta(days=days + 1)).isoformat()
            c = client_ids[0]
            status, stats = app.call("GET", "/api/analytics/stats")
            assert stats["total_messages"] == messages, stats
            figures = [
                ("stats", "/api/analytics/stats", repeat),
                ("metrics, 30 days, all clients", f"/api/analytics/metrics?startDate={d30}&endDate={today}", repeat),
                ("metrics, 90 days, one client", f"/api/analytics/metrics?startDate={d90}&endDate={today}&clientId={c}", repeat),
                ("rates, 90 days, all clients", f"/api/analytics/rates?startDate={d90}&endDate={today}", 2),
                ("per-client table, 90 days", f"/api/analytics/clients?startDate={d90}&endDate={today}", 2),
                ("history page (limit=50)", f"/api/clients/{c}/messages?limit=50", repeat),
            ]
            print(f"\n--- {db}: {messages} messages over {days} days on {clients_n} clients (generated in {generated:.0f} s) ---")
            only = re.compile(os.environ.get("ONLY", "."))  # e.g. ONLY='stats|metrics' to time a subset
            figures = [f for f in figures if only.search(f[0])]
            for name, path, n in figures:
                median, p90 = timed(app, path, n)
                line = f"{db}: {name}: median {median:.1f} ms, p90 {p90:.1f} ms ({n} requests)"
                print(line)
                results.append(line)
            if not only.search("export"):
                return
            # The export of every message, streamed: time and peak RSS growth.
            before = rss(app.proc.pid, "VmRSS")
            with open(f"/proc/{app.proc.pid}/clear_refs", "w") as f:
                f.write("5")
            conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=600)
            t0 = time.perf_counter()
            conn.request("GET", f"/api/analytics/messages/export?startDate={first}&endDate={today}&format=csv", headers={"X-API-Key": key})
            r = conn.getresponse()
            assert r.status == 200, r.status
            size = lines = 0
            while True:
                chunk = r.read(1 << 16)
                if not chunk:
                    break
                size += len(chunk)
                lines += chunk.count(b"\n")  # CRLF may straddle two reads: count the LF
            elapsed = time.perf_counter() - t0
            growth = max(0, rss(app.proc.pid, "VmHWM") - before)
            conn.close()
            line = (f"{db}: export of every message (CSV): {elapsed:.1f} s, {lines - 1} rows, {size / 1e6:.0f} MB, "
                    f"peak RSS growth {growth / 1e6:.1f} MB")
            print(line)
            results.append(line)
            assert lines - 1 == messages, lines
        finally:
            app.close()


# ---- send-message with and without the roll-up triggers -------------------------------------------
TRIGGER_MIGRATIONS = ("0012_rollups.sql", "0020_response_runs.sql")  # the roll-ups and the response runs


def migration_triggers():
    found = []
    for name in TRIGGER_MIGRATIONS:
        with open(f"{root}/resources/migrations/sqlite/{name}") as f:
            found += re.findall(r"(CREATE TRIGGER .*?\nEND;)", f.read(), re.S)
    return found


def set_triggers(db, target, on):
    if db == "postgres":
        subprocess.run(["psql", "-X", "-q", "-c", f"ALTER TABLE messages {'ENABLE' if on else 'DISABLE'} TRIGGER USER", target],
                       check=True)
        return
    import sqlite3
    conn = sqlite3.connect(target, isolation_level=None, timeout=30)
    if on:
        for statement in migration_triggers():
            conn.execute(statement)
    else:
        for statement in migration_triggers():
            conn.execute("DROP TRIGGER " + re.match(r"CREATE TRIGGER (\w+)", statement).group(1))
    conn.close()


def send_side(db):
    pg = None
    sandbox = tempfile.mkdtemp(prefix="wadesk-bench-send-")
    extra = {"WADESK_RATE_PER_DAY": "10000000", "WADESK_CHECK_NUMBER_EXISTS": "0"}
    try:
        if db == "postgres":
            try:
                pg = Postgres()
            except (RuntimeError, subprocess.CalledProcessError) as e:
                print(f"\npostgres: skipped ({e})")
                return
            extra["WADESK_DB"] = pg.url
        app = App(sandbox, extra, page_url(ackMs=100))
        try:
            app.register()
            status, body = app.call("POST", "/api/clients", {"name": "Bench desk"})
            assert status == 201, body
            cid = body["client"]["id"]
            assert app.call("POST", f"/api/clients/{cid}/init", {})[0] == 200
            state = lambda: app.call("GET", f"/api/clients/{cid}/status")[1]
            app.wait(lambda: state().get("qr_available"), "the QR code")
            with lock:
                queues.setdefault("bench", []).append({"cmd": "scan", "args": ["14155552671"]})
            app.wait(lambda: state().get("status") == "ready", "the client to be ready")
            script = f"{sandbox}/send.lua"
            with open(script, "w") as f:
                f.write(f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "{app.key}"
local n = 0
request = function()
  n = n + 1
  local body = string.format('{{"to":"+1415555%04d","message":"Bench message %d"}}', 1000 + n % 1000, n)
  return wrk.format(nil, "/api/clients/{cid}/send-message", nil, body)
end
""")
            target = pg.url if pg else f"{sandbox}/data/wadesk.db"
            figures = {True: [], False: []}
            for i in range(rounds * 2):
                on = i % 2 == 1
                set_triggers(db, target, on)
                out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency", "-s", script,
                                      f"http://127.0.0.1:{app.port}/"], check=True, capture_output=True, text=True).stdout
                rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
                errors = re.findall(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)", out)
                print(f"{db}: send-message, roll-up triggers {'on' if on else 'dropped'}: {rps:.0f} req/s {' '.join(errors)}")
                figures[on].append(rps)
            before, after = statistics.mean(figures[False]), statistics.mean(figures[True])
            line = (f"{db}: send-message: {before:.0f} req/s without the roll-up triggers, {after:.0f} req/s with them: "
                    f"ratio {after / before:.3f} ({rounds} rounds each, alternating, wrk -t{threads} -c{connections} -d{duration})")
            print(line)
            results.append(line)
            assert app.proc.poll() is None, "wadesk died during the run"
        finally:
            app.close()
    finally:
        if pg:
            pg.close()
        shutil.rmtree(sandbox, ignore_errors=True)


print(f"date:    {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}; nproc {os.cpu_count()}; load {os.getloadavg()}")
print(f"binary:  {binary}")
for db in dbs:
    if "read" in sections:
        read_side(db)
    if "send" in sections:
        send_side(db)
print()
for r in results:
    print("RESULT " + r)
