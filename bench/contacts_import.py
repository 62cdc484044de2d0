#!/usr/bin/env python3
"""Contacts import at 100,000 rows (issue 13, "Tests and benchmarks"), with the real binary over
real HTTP, on SQLite and on PostgreSQL (a throwaway cluster). See bench/README.md for the figures.

For each database: wadesk --headless on a fresh data directory, one organization registered;
a ROWS-row CSV generated here (phone, name, tags, two attribute columns; every number distinct)
is sent RUNS times to POST /api/contacts/import (the first run creates, the next ones merge into
existing contacts); for each: the wall time of the request and the growth of the server's peak
RSS during it (VmHWM reset through /proc/<pid>/clear_refs just before, minus VmRSS before). Then
the streamed CSV export of all contacts: time to the last byte and peak RSS growth.

  WADESK_BIN=build/app/wadesk DBS="sqlite postgres" ROWS=100000 RUNS=2 python3 bench/contacts_import.py
"""
import glob, http.client, json, os, pwd, shutil, signal, socket, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
binary = os.environ.get("WADESK_BIN", f"{root}/build/app/wadesk")
dbs = os.environ.get("DBS", "sqlite postgres").split()
rows = int(os.environ.get("ROWS", "100000"))
runs = int(os.environ.get("RUNS", "2"))
MB = 1000 * 1000


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


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
        self.run([f"{self.bin}/pg_ctl", "-D", self.data, "-l", f"{self.dir}/server.log", "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=50", "start"])
        self.run([f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "wadesk"])
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/wadesk"

    def run(self, cmd):
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd="/tmp")

    def close(self):
        try:
            self.run([f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def rss(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def csv_file(n):
    lines = ["phone,name,tags,city,customer_id"]
    for i in range(n):
        lines.append(f"+1415{2000000 + i},Name {i},bulk|t{i % 7},City{i % 50},C-{i}")
    return ("\r\n".join(lines) + "\r\n").encode()


def run(db):
    sandbox = tempfile.mkdtemp(prefix="wadesk-bench-contacts-")
    pg = None
    proc = None
    try:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("WADESK_", "QTWEBENGINE_")) and k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DBUS_SESSION_BUS_ADDRESS")}
        os.makedirs(f"{sandbox}/runtime", mode=0o700)
        env.update(HOME=sandbox, XDG_CONFIG_HOME=f"{sandbox}/config", XDG_DATA_HOME=f"{sandbox}/share",
                   XDG_CACHE_HOME=f"{sandbox}/cache", XDG_RUNTIME_DIR=f"{sandbox}/runtime",
                   WADESK_SECRETS_BACKEND="file", WADESK_PASSWORD_HASH_COST="min", WADESK_LOG_LEVEL="warn")
        if db == "postgres":
            try:
                pg = Postgres()
            except (RuntimeError, subprocess.CalledProcessError) as e:
                print(f"\npostgres: skipped ({e})")
                return
            env["WADESK_DB"] = pg.url
        port = free_port()
        log = open(f"{sandbox}/wadesk.out", "ab")
        proc = subprocess.Popen([binary, "--headless", "--data-dir", f"{sandbox}/data", "--port", str(port)],
                                env=env, stdout=log, stderr=subprocess.STDOUT)

        def call(method, path, body=None, headers=None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            c.close()
            return r.status, data

        deadline = time.time() + 120
        while True:
            try:
                if call("GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit("wadesk did not start:\n" + open(f"{sandbox}/wadesk.out").read()[-3000:])
            time.sleep(0.1)
        status, body = call("POST", "/api/auth/register", json.dumps({"email": "bench@example.test", "password": "correct-horse-1",
                                                                     "name": "Bench", "organization_name": "Bench"}),
                            {"Content-Type": "application/json"})
        assert status == 201, body
        key = json.loads(body)["api_key"]
        data = csv_file(rows)
        print(f"\n== {db}: {rows:,} rows, {len(data) / MB:.1f} MB of CSV; server RSS at start {rss(proc.pid, 'VmRSS') / MB:.1f} MB")
        for i in range(runs):
            before = rss(proc.pid, "VmRSS")
            with open(f"/proc/{proc.pid}/clear_refs", "w") as f:
                f.write("5")
            t0 = time.perf_counter()
            status, body = call("POST", "/api/contacts/import", data, {"X-API-Key": key, "Content-Type": "text/csv"})
            elapsed = time.perf_counter() - t0
            growth = max(0, rss(proc.pid, "VmHWM") - before)
            assert status == 200, body[:500]
            report = json.loads(body)
            print(f"import run {i + 1}: {elapsed:.2f} s  imported {report['imported']:,} updated {report['updated']:,} "
                  f"skipped {report['skipped']:,}  peak RSS growth {growth / MB:.1f} MB")
        before = rss(proc.pid, "VmRSS")
        with open(f"/proc/{proc.pid}/clear_refs", "w") as f:
            f.write("5")
        t0 = time.perf_counter()
        status, body = call("GET", "/api/contacts/export?format=csv", None, {"X-API-Key": key})
        elapsed = time.perf_counter() - t0
        growth = max(0, rss(proc.pid, "VmHWM") - before)
        assert status == 200
        lines = body.count(b"\r\n") - 1
        print(f"export (CSV): {elapsed:.2f} s, {lines:,} rows, {len(body) / MB:.1f} MB, peak RSS growth {growth / MB:.1f} MB")
    finally:
        if proc:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
        if pg:
            pg.close()
        shutil.rmtree(sandbox, ignore_errors=True)


if __name__ == "__main__":
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, nproc {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    for db in dbs:
        run(db)
