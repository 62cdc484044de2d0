#!/usr/bin/env bash
# Cold start: from exec of `wadesk --headless` on an empty data directory (SQLite, no sessions)
# to the first 200 from GET /health. 20 runs (RUNS=n to change); prints every run, the median and
# the max. Each run uses a fresh sandbox, so migrations and master-key creation are included.
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUNS=${RUNS:-20}

machine_facts
echo "runs:    $RUNS"
WADESK_BIN="$WADESK_BIN" RUNS="$RUNS" python3 - <<'PY'
import os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

binary = os.environ["WADESK_BIN"]
runs = int(os.environ["RUNS"])

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def health_ok(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            return data.startswith(b"HTTP/1.1 200")
    except OSError:
        return False

times = []
for i in range(runs):
    sandbox = tempfile.mkdtemp(prefix="wadesk-start-")
    os.makedirs(f"{sandbox}/runtime", mode=0o700)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("WADESK_") and k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(HOME=sandbox, XDG_CONFIG_HOME=f"{sandbox}/config", XDG_DATA_HOME=f"{sandbox}/share",
               XDG_CACHE_HOME=f"{sandbox}/cache", XDG_RUNTIME_DIR=f"{sandbox}/runtime",
               WADESK_SECRETS_BACKEND="file")
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "--headless", "--data-dir", f"{sandbox}/data", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = None
    while time.perf_counter() - start < 30:
        if health_ok(port):
            elapsed = (time.perf_counter() - start) * 1000
            break
        if proc.poll() is not None:
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    shutil.rmtree(sandbox, ignore_errors=True)
    if elapsed is None:
        print(f"run {i + 1}: no 200 from /health (exit {proc.returncode})")
        sys.exit(1)
    times.append(elapsed)
    print(f"run {i + 1:2d}: {elapsed:7.1f} ms")

print()
print(f"RESULT startup: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms, "
      f"min {min(times):.1f} ms over {runs} runs")
PY
