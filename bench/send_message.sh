#!/usr/bin/env bash
# Messaging benchmarks with the real binary, its one client linked against the project's fake
# WhatsApp Web page (tests/fixtures/fake-whatsapp, served here over loopback HTTP with its
# remote-control endpoint; WADESK_WA_URL, WADESK_INJECT_WAJS=0).
#
#   acceptance: POST /api/clients/:id/send-message under wrk (THREADS threads, CONNECTIONS
#               keep-alive connections, DURATION), a JSON body with 1,000 rotating numbers,
#               X-API-Key. WADESK_RATE_PER_DAY is at its maximum so the daily budget never
#               refuses; the per-minute and per-hour tiers keep their defaults (the sender
#               trickles, the queue grows, as in real use). Requests/s, p99, non-2xx.
#               On SQLite, and on PostgreSQL (a throwaway cluster: initdb as the postgres user,
#               pg_ctl on a free port, default durability) when its server binaries are here.
#   end to end: pacing off (WADESK_PACING=0), tiers out of the way, no number check, the fake
#               page acknowledging the send at once (ack1Ms=0; delivered/read 20 ms apart).
#               E2E_MESSAGES messages are queued behind a per-minute limit of 1, then the limit
#               goes back to the (unlimited) default: messages/s from the first `sending` to the
#               last `sent` (the sender's own rate); then E2E_MESSAGES more submitted one after
#               the other while the sender works: from the first `queued` to the last `sent`.
#               On each database of E2E_DBS (SQLite unless told).
#   PG_STATS=1: PostgreSQL loads pg_stat_statements (triggers' statements and planning tracked
#               too); after the first end-to-end batch drains: statements, execution and planning
#               time, shared buffers and PostgreSQL's CPU per message sent, then the top 15
#               statements by execution time (a statement's time includes its triggers'). The
#               drain's own polling (two counts every 0.5 s) is in the figures too. The part
#               "while submitting" is then left out.
#
#   WADESK_BIN=build-x/app/wadesk  DBS="sqlite postgres"  CONNECTIONS=50  THREADS=2  DURATION=10s
#   E2E_MESSAGES=1000  E2E_DBS=sqlite  PG_STATS=0  bench/send_message.sh
#   (DBS= E2E_DBS=postgres PG_STATS=1: only the profile of the sender on PostgreSQL)
set -euo pipefail
source "$(dirname "$0")/common.sh"

CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
DBS=${DBS-sqlite postgres}
E2E_MESSAGES=${E2E_MESSAGES:-1000}
E2E_DBS=${E2E_DBS:-sqlite}
PG_STATS=${PG_STATS:-0}

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk" >&2
  apt-get install -y wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
fi

machine_facts
echo "load:    wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (POST send-message); e2e $E2E_MESSAGES messages"
WADESK_BIN="$WADESK_BIN" FIXTURE="$BENCH_ROOT/tests/fixtures/fake-whatsapp" CONNECTIONS="$CONNECTIONS" THREADS="$THREADS" \
  DURATION="$DURATION" DBS="$DBS" E2E_MESSAGES="$E2E_MESSAGES" E2E_DBS="$E2E_DBS" PG_STATS="$PG_STATS" python3 - <<'PY'
import glob, http.client, http.server, json, os, pwd, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.parse

binary = os.environ["WADESK_BIN"]
fixture = os.environ["FIXTURE"]
connections, threads, duration = os.environ["CONNECTIONS"], os.environ["THREADS"], os.environ["DURATION"]
dbs = os.environ["DBS"].split()
e2e_messages = int(os.environ["E2E_MESSAGES"])
e2e_dbs = os.environ["E2E_DBS"].split()
pg_stats = os.environ["PG_STATS"] == "1"

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
    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]), reverse=True)
        if not bins:
            raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.bin = os.path.dirname(bins[0])
        self.dir = tempfile.mkdtemp(prefix="wadesk-bench-pg-")
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = f"{self.dir}/data"
        self.port = free_port()
        self.run([f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"])
        stats = (" -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
                 " -c pg_stat_statements.track_planning=on") if pg_stats else ""
        self.run([f"{self.bin}/pg_ctl", "-D", self.data, "-l", f"{self.dir}/server.log", "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=50{stats}", "start"])
        self.run([f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "wadesk"])
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/wadesk"
        if pg_stats:
            self.sql("CREATE EXTENSION pg_stat_statements")
    def sql(self, query):
        cmd = [f"{self.bin}/psql", "-X", "-q", "-A", "-t", "-F", "\t", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
               "-d", "wadesk", "-v", "ON_ERROR_STOP=1", "-c", query]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd="/tmp").stdout
    def cpu(self):
        """CPU seconds used so far by the server and its live backends."""
        with open(f"{self.data}/postmaster.pid") as f:
            root = int(f.readline())
        parent, ticks = {}, {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(pid)], ticks[int(pid)] = int(fields[1]), int(fields[11]) + int(fields[12])
        total, todo = 0, [root]
        while todo:
            pid = todo.pop()
            total += ticks.get(pid, 0)
            todo += [c for c, p in parent.items() if p == pid]
        return total / os.sysconf("SC_CLK_TCK")
    def print_top(self, messages, cpu_s, n=15):
        # Per message sent. Top-level statements are what WaDesk sent; the nested ones are its
        # triggers' (their time is inside their statement's too, so only top-level time is summed).
        top = self.sql("SELECT toplevel, sum(calls), sum(total_exec_time), sum(total_plan_time), "
                       "sum(shared_blks_hit + shared_blks_read) FROM pg_stat_statements GROUP BY toplevel ORDER BY toplevel DESC")
        for line in top.splitlines():
            level, calls, exec_ms, plan_ms, blks = line.split("\t")
            print(f"pg_stat_statements, {'top-level' if level == 't' else 'in triggers'}: {int(calls) / messages:.1f} statements, "
                  f"{float(exec_ms) / messages:.2f} ms executing, {float(plan_ms) / messages:.2f} ms planning, "
                  f"{int(blks) / messages:.0f} shared buffers per message sent")
        # One status change as the sender makes them, in a transaction rolled back: where its
        # buffers go (the row, every index of messages, the roll-up trigger).
        indexes = self.sql("SELECT count(*) FROM pg_indexes WHERE tablename = 'messages'").strip()
        plan = self.sql("BEGIN; EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) UPDATE messages SET status = 'delivered', updated_at = updated_at + 1 "
                        "WHERE id = (SELECT id FROM messages WHERE direction = 'outbound' AND status = 'read' LIMIT 1); ROLLBACK")
        print(f"messages has {indexes} indexes; one status change (rolled back):")
        print("\n".join("    " + l for l in plan.splitlines() if l.strip()))
        print(f"PostgreSQL CPU: {cpu_s * 1000 / messages:.2f} ms per message sent ({messages} messages); top {n} by execution time:")
        print("calls/msg  ms/msg  ms/call  rows/call  shared blks/call  statement")
        self.print_rows(messages, "total_exec_time", n)
        print(f"top {n} by calls:")
        self.print_rows(messages, "calls", n)
    def print_rows(self, messages, order, n):
        out = self.sql(f"SELECT calls, total_exec_time, rows, shared_blks_hit + shared_blks_read, "
                       f"regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements ORDER BY {order} DESC LIMIT {n}")
        for line in out.splitlines():
            calls, ms, rows, blks, query = line.split("\t", 4)
            calls, ms = int(calls), float(ms)
            print(f"{calls / messages:9.2f} {ms / messages:7.3f} {ms / calls:8.3f} {int(rows) / calls:10.1f} "
                  f"{int(blks) / calls:17.1f}  {query[:150]}")
    def run(self, cmd):
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd="/tmp")
    def close(self):
        try:
            self.run([f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

# ---- the binary --------------------------------------------------------------------------------
class App:
    def __init__(self, url, extra_env):
        self.sandbox = tempfile.mkdtemp(prefix="wadesk-bench-msg-")
        os.makedirs(f"{self.sandbox}/runtime", mode=0o700)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WADESK_", "QTWEBENGINE_")) and k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DBUS_SESSION_BUS_ADDRESS")}
        env.update(HOME=self.sandbox, XDG_CONFIG_HOME=f"{self.sandbox}/config", XDG_DATA_HOME=f"{self.sandbox}/share",
                   XDG_CACHE_HOME=f"{self.sandbox}/cache", XDG_RUNTIME_DIR=f"{self.sandbox}/runtime",
                   WADESK_SECRETS_BACKEND="file", WADESK_PASSWORD_HASH_COST="min", WADESK_LOG_LEVEL="warn",
                   WADESK_WA_URL=url, WADESK_INJECT_WAJS="0", WADESK_HEALTH_CACHE_MS="0")
        env.update(extra_env)
        self.port = free_port()
        self.log = open(f"{self.sandbox}/wadesk.out", "wb")
        self.proc = subprocess.Popen([binary, "--headless", "--data-dir", f"{self.sandbox}/data", "--port", str(self.port)],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.key = None
        self.conn = None
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.call("GET", "/health")[0] == 200:
                    break
            except OSError:
                self.conn = None
            if self.proc.poll() is not None:
                raise SystemExit("wadesk exited:\n" + open(f"{self.sandbox}/wadesk.out").read()[-3000:])
            time.sleep(0.1)
        else:
            raise SystemExit("wadesk did not start")
        status, body = self.call("POST", "/api/auth/register", {"email": "bench@example.test", "password": "correct-horse-1",
                                                               "name": "Bench", "organization_name": "Bench"})
        assert status == 201, body
        self.key = body["api_key"]

    def call(self, method, path, body=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
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

    def linked_client(self):
        status, body = self.call("POST", "/api/clients", {"name": "Bench desk"})
        assert status == 201, body
        cid = body["client"]["id"]
        assert self.call("POST", f"/api/clients/{cid}/init", {})[0] == 200
        state = lambda: self.call("GET", f"/api/clients/{cid}/status")[1]
        self.wait(lambda: state().get("qr_available"), "the QR code")
        with lock:
            queues.setdefault("bench", []).append({"cmd": "scan", "args": ["14155552671"]})
        self.wait(lambda: state().get("status") == "ready", "the client to be ready")
        return cid

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.sandbox, ignore_errors=True)

def iso_ms(s):
    # "2026-11-24T04:35:29.123Z" → epoch ms
    t = time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")
    import calendar
    return calendar.timegm(t) * 1000 + int(s[20:23])

results = []
# A SIGTERM ends the run through the finally blocks: no wadesk or PostgreSQL is left behind.
signal.signal(signal.SIGTERM, lambda *args: sys.exit(1))

# ---- acceptance: send-message under wrk ------------------------------------------------------------
def acceptance(db):
    pg = None
    extra = {"WADESK_RATE_PER_DAY": "10000000", "WADESK_CHECK_NUMBER_EXISTS": "0"}
    if db == "postgres":
        try:
            pg = Postgres()
        except (RuntimeError, subprocess.CalledProcessError) as e:
            print(f"\npostgres: skipped ({e})")
            return
        extra["WADESK_DB"] = pg.url
    app = App(page_url(ackMs=100), extra)
    try:
        cid = app.linked_client()
        script = f"{app.sandbox}/send.lua"
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
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", "--latency", "-s", script,
                              f"http://127.0.0.1:{app.port}/"], check=True, capture_output=True, text=True).stdout
        print(f"\n--- send-message, {db} ---")
        print(out.rstrip())
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
        errors = re.findall(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)", out)
        status, limits = app.call("GET", f"/api/clients/{cid}/rate-limits")
        total = app.call("GET", f"/api/clients/{cid}/messages?limit=1&total=exact")[1]["total"]
        results.append(f"send-message {db}: {rps:.0f} req/s, p99 {p99}" + (f" ({'; '.join(errors)})" if errors else "")
                       + f"; {total} messages stored, queue depth after {limits.get('queue_depth')}")
        assert app.proc.poll() is None, "wadesk died during the run"
    finally:
        app.close()
        if pg:
            pg.close()

# ---- end to end: queued → sent ------------------------------------------------------------------
def end_to_end(db):
    pg = None
    extra = {"WADESK_PACING": "0", "WADESK_CHECK_NUMBER_EXISTS": "0", "WADESK_RATE_PER_MINUTE": "100000",
             "WADESK_RATE_PER_HOUR": "1000000", "WADESK_RATE_PER_DAY": "10000000"}
    if db == "postgres":
        try:
            pg = Postgres()
        except (RuntimeError, subprocess.CalledProcessError) as e:
            print(f"\nend to end, postgres: skipped ({e})")
            return
        extra["WADESK_DB"] = pg.url
    app = App(page_url(ack1Ms=0, ackMs=20), extra)
    try:
        cid = app.linked_client()
        limits = lambda per_minute: app.call("PATCH", f"/api/clients/{cid}", {"rate_limits": {"per_minute": per_minute}})[0]
        assert limits(1) == 200
        status, body = app.call("POST", f"/api/clients/{cid}/send-message", {"to": "+14155550999", "message": "the one of this minute"})
        assert status == 200, body
        app.wait(lambda: app.call("GET", f"/api/messages/{body['messageId']}")[1]["status"] != "queued", "the first message")
        for i in range(e2e_messages):
            status, body = app.call("POST", f"/api/clients/{cid}/send-message",
                                    {"to": f"+1415555{1000 + i % 1000:04d}", "message": f"End to end {i + 1}"})
            assert status == 200, body
        if pg and pg_stats:
            pg.sql("SELECT pg_stat_statements_reset()")
            pg_cpu0 = pg.cpu()
        resumed = time.time()
        assert limits(0) == 200
        def drained():
            q = app.call("GET", f"/api/clients/{cid}/messages?limit=1&status=queued&total=exact")[1]["total"]
            s = app.call("GET", f"/api/clients/{cid}/messages?limit=1&status=sending&total=exact")[1]["total"]
            return q == 0 and s == 0
        app.wait(drained, "the queue to drain", timeout=600, step=0.5 if pg_stats else 0.05)
        wall = time.time() - resumed
        if pg and pg_stats:
            time.sleep(1)  # the last acks (delivered, read) land 20 and 40 ms after the send
            pg.print_top(e2e_messages, pg.cpu() - pg_cpu0)
            return  # the profile is of the sender alone
        rows = []
        offset = 0
        while True:
            page = app.call("GET", f"/api/clients/{cid}/messages?limit=500&offset={offset}&direction=outbound")[1]["messages"]
            rows += page
            offset += len(page)
            if len(page) < 500:
                break
        rows = [m for m in rows if m["message_text"].startswith("End to end")]
        failed = [m for m in rows if m["status"] == "failed"]
        sent = [m for m in rows if m["status"] in ("sent", "delivered", "read")]
        first_sending = min(iso_ms(m["sending_at"]) for m in sent)
        last_sent = max(iso_ms(m["sent_at"]) for m in sent)
        first_queued = min(iso_ms(m["created_at"]) for m in sent)
        rate = len(sent) / max(0.001, (last_sent - first_sending) / 1000)
        print(f"\n--- end to end, {db}, {len(sent)} sent, {len(failed)} failed ---")
        print(f"first sending → last sent: {(last_sent - first_sending) / 1000:.2f} s; release → drained (polled): {wall:.2f} s")
        results.append(f"end to end, {db} (pacing and tiers off): {rate:.0f} messages/s from first sending to last sent "
                       f"({len(sent)} messages, {len(failed)} failed)")
        # Without the pause: submit and send at the same time, one caller after the other.
        t0 = time.time()
        ids = []
        for i in range(e2e_messages):
            status, body = app.call("POST", f"/api/clients/{cid}/send-message",
                                    {"to": f"+1415556{1000 + i % 1000:04d}", "message": f"Live {i + 1}"})
            assert status == 200, body
            ids.append(body["messageId"])
        app.wait(drained, "the queue to drain", timeout=600, step=0.05)
        last = app.call("GET", f"/api/messages/{ids[-1]}")[1]
        first = app.call("GET", f"/api/messages/{ids[0]}")[1]
        span = (iso_ms(last["sent_at"]) - iso_ms(first["created_at"])) / 1000
        results.append(f"end to end while submitting, {db}: {e2e_messages / span:.0f} messages/s from the first queued to the last sent "
                       f"({e2e_messages} messages, submitted sequentially in {time.time() - t0:.2f} s)")
    finally:
        app.close()
        if pg:
            pg.close()

for db in dbs:
    acceptance(db)
for db in e2e_dbs:
    end_to_end(db)
print()
for r in results:
    print("RESULT " + r)
PY
