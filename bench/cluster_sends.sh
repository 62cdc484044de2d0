#!/usr/bin/env bash
# Sends per second with two instances against one (issue 16): two real `wadesk --headless` on a
# throwaway PostgreSQL cluster (initdb as the postgres user, pg_ctl on a free port), the
# project's fake WhatsApp Web page served here over loopback with its remote control (one
# control session per instance, reportSends=1: every message "WhatsApp" took is reported with
# the instance whose page took it), CLIENTS linked clients (distinct phone numbers).
#
#   one instance:  A runs every client; B runs, owns nothing, and answers API requests.
#   two instances: half the clients pinned to B (PATCH /api/clients/:id {"instance": "inst-b"}:
#                  A hands them over, B opens them from their browser-state snapshot), checked
#                  with GET /api/instances.
# In each, RUNS times: MESSAGES messages submitted by SUBMITTERS threads, spread round-robin over
# the clients and over both instances' APIs (a send for a client the other instance runs wakes its
# owner through the session_commands table). Figure: messages / (last `sent_at` − first
# `created_at`), i.e. from the first accept to the last send, on the database's rows; also
# first `sending` → last `sent`. Every message must end `sent` (or delivered/read), and the
# fake page must have taken each body exactly once, over both instances' pages.
# Pacing off (WADESK_PACING=0), rate tiers far out of the way, no number check, the page
# acknowledging at once: what is measured is the senders, not the per-client limits.
#
# Each run also prints the CPU seconds used by each instance (with its page renderers), by
# PostgreSQL and by the whole machine. PG_OPTIONS: more server settings ("-c synchronous_commit=off").
#   CLIENTS=4 MESSAGES=400 RUNS=2 SUBMITTERS=8 PG_OPTIONS= bench/cluster_sends.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

CLIENTS=${CLIENTS:-4}
MESSAGES=${MESSAGES:-400}
RUNS=${RUNS:-2}
SUBMITTERS=${SUBMITTERS:-8}

machine_facts
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg); $CLIENTS clients, $MESSAGES messages per run, $RUNS runs per layout, $SUBMITTERS submitters${PG_OPTIONS:+, PostgreSQL $PG_OPTIONS}"
WADESK_BIN="$WADESK_BIN" FIXTURE="$BENCH_ROOT/tests/fixtures/fake-whatsapp" CLIENTS="$CLIENTS" MESSAGES="$MESSAGES" \
  RUNS="$RUNS" SUBMITTERS="$SUBMITTERS" PG_OPTIONS="${PG_OPTIONS:-}" python3 - <<'PY'
import calendar, collections, concurrent.futures, glob, http.client, http.server, json, os, pwd, shutil, signal, socket
import subprocess, sys, tempfile, threading, time, urllib.parse

binary = os.environ["WADESK_BIN"]
fixture = os.environ["FIXTURE"]
n_clients = int(os.environ["CLIENTS"])
n_messages = int(os.environ["MESSAGES"])
runs = int(os.environ["RUNS"])
submitters = int(os.environ["SUBMITTERS"])
pg_options = os.environ.get("PG_OPTIONS", "")

# ---- the fake page, its control endpoint and what "WhatsApp" took ---------------------------------
queues, received, lock = {}, collections.defaultdict(list), threading.Lock()
scans_asked = collections.Counter()

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
        self.close_connection = True
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a page closed while it polled (a hand-over, the end of the run)
    def session(self):
        return urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("session", [""])[0]
    def do_GET(self):
        path = urllib.parse.urlparse(self.path).path
        if path == "/next":
            with lock:
                cmds = queues.pop(self.session(), [])
            return self.send(200, json.dumps(cmds).encode())
        name = "index.html" if path in ("/", "") else path.lstrip("/")
        file = os.path.join(fixture, name)
        if "/" in name or not os.path.isfile(file):
            return self.send(404, b"not found", "text/plain")
        with open(file, "rb") as f:
            body = f.read()
        self.send(200, body, "text/html" if name.endswith(".html") else "text/javascript")
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        if urllib.parse.urlparse(self.path).path == "/received":
            body = json.loads(raw).get("body")
            with lock:
                received[body].append(self.session())
        self.send(204, b"", "text/plain")

fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=fake.serve_forever, daemon=True).start()
fake_base = f"http://127.0.0.1:{fake.server_address[1]}"

def page_url(session):
    q = {"readyMs": "50", "qrFirstMs": "300", "qrMax": "1000", "syncMs": "100", "pollMs": "100", "ack1Ms": "0",
         "ackMs": "20", "reportSends": "1", "control": fake_base, "session": session}
    return f"{fake_base}/index.html?" + urllib.parse.urlencode(q)

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

# ---- a throwaway PostgreSQL cluster (as bench/send_message.sh) -----------------------------------------
class Postgres:
    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]), reverse=True)
        if not bins:
            raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.bin = os.path.dirname(bins[0])
        self.dir = tempfile.mkdtemp(prefix="wadesk-bench-pg-")
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.data = f"{self.dir}/data"
        self.port = free_port()
        self.run([f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"])
        self.run([f"{self.bin}/pg_ctl", "-D", self.data, "-l", f"{self.dir}/server.log", "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=100 {pg_options}", "start"])
        self.run([f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "wadesk"])
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/wadesk"
    def pid(self):
        with open(f"{self.data}/postmaster.pid") as f:
            return int(f.readline())
    def run(self, cmd):
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd="/tmp")
    def close(self):
        try:
            self.run([f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

# ---- one instance -------------------------------------------------------------------------------
class Api:
    """One keep-alive connection to one instance (one per thread)."""
    def __init__(self, port, key=None):
        self.port, self.key, self.conn = port, key, None
    def call(self, method, path, body=None):
        # A kept-alive connection the server closed while idle fails at once: one more try on a new one.
        try:
            return self.once(method, path, body)
        except OSError:
            return self.once(method, path, body)
    def once(self, method, path, body=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
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

class Instance:
    def __init__(self, name, db_url, master_key=None):
        self.name = name
        self.sandbox = tempfile.mkdtemp(prefix=f"wadesk-bench-{name}-")
        os.makedirs(f"{self.sandbox}/runtime", mode=0o700)
        os.makedirs(f"{self.sandbox}/data")
        if master_key:
            # One database, one master key for every instance (its secrets are sealed with it).
            shutil.copy(master_key, f"{self.sandbox}/data/master.key")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WADESK_", "QTWEBENGINE_")) and k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DBUS_SESSION_BUS_ADDRESS")}
        env.update(HOME=self.sandbox, XDG_CONFIG_HOME=f"{self.sandbox}/config", XDG_DATA_HOME=f"{self.sandbox}/share",
                   XDG_CACHE_HOME=f"{self.sandbox}/cache", XDG_RUNTIME_DIR=f"{self.sandbox}/runtime",
                   WADESK_SECRETS_BACKEND="file", WADESK_PASSWORD_HASH_COST="min", WADESK_LOG_LEVEL="info",
                   WADESK_DB=db_url, WADESK_INSTANCE_ID=name, WADESK_WA_URL=page_url(name), WADESK_INJECT_WAJS="0",
                   WADESK_HEALTH_CACHE_MS="0", WADESK_PACING="0", WADESK_CHECK_NUMBER_EXISTS="0",
                   WADESK_RATE_PER_MINUTE="100000", WADESK_RATE_PER_HOUR="1000000", WADESK_RATE_PER_DAY="10000000")
        self.port = free_port()
        self.log = open(f"{self.sandbox}/wadesk.out", "wb")
        self.proc = subprocess.Popen([binary, "--headless", "--data-dir", f"{self.sandbox}/data", "--port", str(self.port)],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.api = Api(self.port)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if self.api.call("GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"{name} exited:\n" + self.tail())
            time.sleep(0.2)
        else:
            raise SystemExit(f"{name} did not start:\n" + self.tail())

    def tail(self, n=3000):
        self.log.flush()
        with open(f"{self.sandbox}/wadesk.out", errors="replace") as f:
            return f.read()[-n:]

    def call(self, method, path, body=None):
        return self.api.call(method, path, body)

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.sandbox, ignore_errors=True)

def wait(pred, what, timeout=180, step=0.1, logs=()):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(step)
    for inst in logs:
        print(f"--- {inst.name} log ---\n{inst.tail()}", file=sys.stderr)
    raise SystemExit(f"timed out waiting for {what}")

def tree_cpu(root):
    """CPU seconds used so far by `root` and its live descendants (the page renderers, PostgreSQL's backends)."""
    parent, ticks = {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(pid)] = int(fields[1])
        ticks[int(pid)] = int(fields[11]) + int(fields[12])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += ticks.get(pid, 0)
        todo += [c for c, p in parent.items() if p == pid]
    return total / os.sysconf("SC_CLK_TCK")

def machine_cpu():
    """CPU seconds the whole machine spent busy (every process, these and the others)."""
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")

def iso_ms(s):
    # "2026-11-24T04:35:29.123Z" → epoch ms
    return calendar.timegm(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")) * 1000 + int(s[20:23])

# ---- the run ------------------------------------------------------------------------------------
results = []
signal.signal(signal.SIGTERM, lambda *args: sys.exit(1))
pg = Postgres()
a = b = None
try:
    a = Instance("inst-a", pg.url)
    status, body = a.call("POST", "/api/auth/register", {"email": "bench@example.test", "password": "correct-horse-1",
                                                        "name": "Bench", "organization_name": "Bench"})
    assert status == 201, body
    key = body["api_key"]
    a.api.key = key
    b = Instance("inst-b", pg.url, master_key=f"{a.sandbox}/data/master.key")
    b.api.key = key
    insts = {"inst-a": a, "inst-b": b}

    def client(cid):
        return a.call("GET", f"/api/clients/{cid}")[1]["client"]

    # Brings `cid` to ready on `owner`: a scan on that instance's page when it shows a QR code
    # (every page of an instance polls the same control session, so a linked page may take the
    # scan and refuse it: it is asked again until this client is linked).
    def ready_on(cid, owner, phone):
        inst = insts[owner]
        def check():
            c = client(cid)
            if c.get("instance") == owner and c.get("status") == "ready":
                return True
            if c.get("instance") == owner and inst.call("GET", f"/api/clients/{cid}/status")[1].get("qr_available"):
                with lock:
                    if not queues.get(owner):
                        queues[owner] = [{"cmd": "scan", "args": [phone]}]
                        scans_asked[owner] += 1
            return False
        wait(check, f"client {cid} ready on {owner}", step=0.3, logs=(a, b))

    phones = {}
    clients = []
    for i in range(n_clients):
        status, body = a.call("POST", "/api/clients", {"name": f"Bench desk {i + 1}"})
        assert status == 201, body
        cid = body["client"]["id"]
        phones[cid] = f"1415555{2600 + i:04d}"
        status, body = a.call("POST", f"/api/clients/{cid}/init", {})
        assert status == 200, body
        ready_on(cid, "inst-a", phones[cid])
        clients.append(cid)

    def instances():
        status, body = a.call("GET", "/api/instances")
        assert status == 200, body
        return {i["id"]: i["sessions"] for i in body["instances"] if i["alive"]}

    local = threading.local()
    def submit(i, tag):
        # Each submitter thread keeps one connection to each instance.
        if not hasattr(local, "apis"):
            local.apis = [Api(a.port, key), Api(b.port, key)]
        cid = clients[i % n_clients]
        api = local.apis[(i // n_clients) % 2]
        text = f"{tag} {i + 1}"
        for attempt in range(3):
            try:
                status, body = api.call("POST", f"/api/clients/{cid}/send-message",
                                        {"to": f"+1415555{1000 + i % 1000:04d}", "message": text})
                break
            except OSError:
                if attempt == 2:
                    raise
        assert status == 200, (status, body)
        return body["messageId"], text

    def outbound(cid):
        rows, offset = [], 0
        while True:
            page = a.call("GET", f"/api/clients/{cid}/messages?limit=500&offset={offset}&direction=outbound")[1]["messages"]
            rows += page
            offset += len(page)
            if len(page) < 500:
                return rows

    def measure(layout, run):
        tag = f"{layout.replace(' ', '-')} run {run}"
        trees = {"inst-a": a.proc.pid, "inst-b": b.proc.pid, "postgres": pg.pid()}
        cpu0 = {k: tree_cpu(v) for k, v in trees.items()}
        machine0 = machine_cpu()
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(submitters) as pool:
            accepted = list(pool.map(lambda i: submit(i, tag), range(n_messages)))
        submitted = time.time() - t0
        texts = {text for _, text in accepted}
        assert len(texts) == n_messages and len({m for m, _ in accepted}) == n_messages
        def drained():
            for cid in clients:
                for state in ("queued", "sending"):
                    status, body = a.call("GET", f"/api/clients/{cid}/messages?limit=1&status={state}&total=exact")
                    assert status == 200, (status, body)
                    if body["total"]:
                        return False
            return True
        wait(drained, f"the queues to drain ({layout}, run {run})", timeout=600, step=0.2, logs=(a, b))
        wall = time.time() - t0
        cpu = {k: tree_cpu(v) - cpu0[k] for k, v in trees.items()}
        machine = machine_cpu() - machine0
        rows = [m for cid in clients for m in outbound(cid) if m["message_text"] in texts]
        assert len(rows) == n_messages, f"{len(rows)} of {n_messages} messages stored"
        sent = [m for m in rows if m["status"] in ("sent", "delivered", "read")]
        first_created = min(iso_ms(m["created_at"]) for m in rows)
        first_sending = min(iso_ms(m["sending_at"]) for m in sent)
        last_sent = max(iso_ms(m["sent_at"]) for m in sent)
        time.sleep(1.5)  # time for a duplicate to be reported, if there were one
        with lock:
            times = {t: len(received.get(t, [])) for t in texts}
            by_page = collections.Counter(received[t][0] for t in texts if received.get(t))
        once = sum(1 for n in times.values() if n == 1)
        dup = sum(1 for n in times.values() if n > 1)
        missing = sum(1 for n in times.values() if n == 0)
        span = (last_sent - first_created) / 1000
        line = (f"{layout}, run {run}: {len(sent) / span:.0f} sends/s from the first accept to the last sent "
                f"({span:.2f} s; first sending → last sent {(last_sent - first_sending) / 1000:.2f} s; submitted in {submitted:.2f} s); "
                f"{len(sent)}/{n_messages} sent, WhatsApp took {once} once, {dup} more than once, {missing} never; "
                f"pages: " + ", ".join(f"{k} {v}" for k, v in sorted(by_page.items())) + f"; load {open('/proc/loadavg').read().split()[0]}; "
                f"CPU s over {wall:.1f} s wall (2 cores = {2 * wall:.0f}): " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
                + f", whole machine {machine:.1f}")
        print(line, flush=True)
        results.append((layout, len(sent) / span, len(sent) == n_messages and once == n_messages))
        return line

    owners = instances()
    print(f"one instance: GET /api/instances sessions {owners}", flush=True)
    assert owners.get("inst-a") == n_clients and owners.get("inst-b", 0) == 0, owners
    for run in range(1, runs + 1):
        measure("one instance", run)

    # Half the clients to B: pinned there, A hands them over, B opens them from their snapshot.
    moved = clients[1::2]
    t0 = time.time()
    for cid in moved:
        status, body = a.call("PATCH", f"/api/clients/{cid}", {"instance": "inst-b"})
        assert status == 200, body
    for cid in moved:
        ready_on(cid, "inst-b", phones[cid])
    took = time.time() - t0
    with lock:
        scans = scans_asked.get("inst-b", 0)
    time.sleep(2.5)  # info lines reach the log within 2 s (spdlog::flush_every)
    restored = b.tail(10**7).count("browser state restored from snapshot")
    print(f"hand-over of {len(moved)} clients to inst-b: {took:.1f} s until all ready there "
          f"({restored} restored from their browser-state snapshot, {scans} QR scans asked)", flush=True)
    owners = instances()
    print(f"two instances: GET /api/instances sessions {owners}", flush=True)
    assert owners.get("inst-a") == n_clients - len(moved) and owners.get("inst-b") == len(moved), owners
    for run in range(1, runs + 1):
        measure("two instances", run)

    assert a.proc.poll() is None and b.proc.poll() is None, "an instance died during the run"
except BaseException:
    for inst in (a, b):
        if inst:
            print(f"--- {inst.name} ({'running' if inst.proc.poll() is None else f'exited {inst.proc.returncode}'}) ---\n{inst.tail(4000)}", file=sys.stderr)
    raise
finally:
    for inst in (b, a):
        if inst:
            inst.close()
    pg.close()

print()
one = sorted(r for l, r, _ in results if l == "one instance")
two = sorted(r for l, r, _ in results if l == "two instances")
median = lambda v: v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
print(f"RESULT one instance: median {median(one):.0f} sends/s ({', '.join(f'{r:.0f}' for r in one)})")
print(f"RESULT two instances: median {median(two):.0f} sends/s ({', '.join(f'{r:.0f}' for r in two)})")
print(f"RESULT two / one: {median(two) / median(one):.2f}")
print(f"RESULT every message sent exactly once: {'yes' if all(ok for _, _, ok in results) else 'NO'}")
sys.exit(0 if all(ok for _, _, ok in results) else 1)
PY
