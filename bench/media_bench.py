#!/usr/bin/env python3
"""Upload/download figures of the media routes against a running wadesk (see bench/media.sh)."""
import argparse, base64, http.client, json, os, struct, threading, time, zlib

MB = 1000 * 1000


def rss(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak(pid):
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def request(port, method, path, body=None, headers=None, timeout=600):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data, dict((k.lower(), v) for k, v in r.getheaders())


def mp4(size, seed):
    def box(kind, payload):
        return struct.pack(">I", 8 + len(payload)) + kind + payload
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isommp41")
    moov = box(b"moov", box(b"mvhd", bytes(100)))
    payload = bytearray(os.urandom(size))
    payload[:8] = struct.pack(">Q", seed)
    return ftyp + moov + box(b"mdat", bytes(payload))


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


def png_parts(target):
    """A noise image of about `target` bytes as (head, tail): a tEXt chunk between them makes it unique."""
    side = max(4, int((target / 3) ** 0.5))
    raw = b"".join(b"\x00" + os.urandom(side * 3) for _ in range(side))
    head = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
    return head, png_chunk(b"IDAT", zlib.compress(raw, 1)) + png_chunk(b"IEND", b"")


def measured(pid, action):
    before = rss(pid, "VmRSS")
    reset_peak(pid)
    start = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - start
    growth = max(0, rss(pid, "VmHWM") - before)
    return result, elapsed, growth


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--port", type=int, required=True)
    a.add_argument("--pid", type=int, required=True)
    a.add_argument("--runs", type=int, default=3)
    a.add_argument("--clients", type=int, default=4)
    a.add_argument("--small-seconds", type=float, default=10)
    a.add_argument("--size", type=int, default=100 * MB)
    o = a.parse_args()

    status, body, _ = request(o.port, "POST", "/api/auth/register", json.dumps({
        "email": "bench@media.test", "password": "correct-horse-1", "name": "Bench", "organization_name": "Bench"}),
        {"Content-Type": "application/json"})
    assert status == 201, body[:300]
    key = json.loads(body)["api_key"]
    auth = {"X-API-Key": key}
    print(f"server RSS at start: {rss(o.pid, 'VmRSS') / MB:.1f} MB")

    ids = []
    sizes = {}
    for form in ("raw", "json"):
        for run in range(o.runs):
            data = mp4(o.size, run * 10 + (form == "json"))
            if form == "raw":
                payload, headers = data, {**auth, "Content-Type": "video/mp4"}
            else:
                payload = json.dumps({"file": base64.b64encode(data).decode(), "filename": "big.mp4"}).encode()
                headers = {**auth, "Content-Type": "application/json"}
            del data
            (status, body, _), elapsed, growth = measured(o.pid, lambda: request(o.port, "POST", "/api/media/upload", payload, headers))
            assert status == 201, body[:300]
            ids.append(json.loads(body)["media"]["id"])
            sizes[ids[-1]] = json.loads(body)["media"]["size"]
            print(f"upload {form:4} {o.size / MB:.0f} MB ({len(payload) / MB:.0f} MB body): {o.size / MB / elapsed:7.1f} MB/s "
                  f"({elapsed:.2f} s), peak RSS growth {growth / MB:6.1f} MB")
            del payload

    media = ids[0]
    for run in range(o.runs):
        def download():
            c = http.client.HTTPConnection("127.0.0.1", o.port, timeout=600)
            c.request("GET", f"/api/media/{media}/download", headers=auth)
            r = c.getresponse()
            n = 0
            while True:
                piece = r.read(1 << 20)
                if not piece:
                    break
                n += len(piece)
            c.close()
            return r.status, n
        (status, n), elapsed, growth = measured(o.pid, download)
        assert status == 200 and n == sizes[media], (status, n)
        print(f"download {n / MB:.0f} MB: {n / MB / elapsed:7.1f} MB/s ({elapsed:.2f} s), peak RSS growth {growth / MB:6.1f} MB")
    status, part, headers = request(o.port, "GET", f"/api/media/{media}/download", headers={**auth, "Range": "bytes=50000000-50999999"})
    assert status == 206 and len(part) == 1000000, (status, len(part))
    print(f"range 1 MB in the middle: 206, {headers.get('content-range')}")

    parts = [png_parts(50 * 1000) for _ in range(64)]
    def small_body(n):
        head, tail = parts[n % len(parts)]
        image = head + png_chunk(b"tEXt", b"n\x00" + str(n).encode()) + tail
        return json.dumps({"file": base64.b64encode(image).decode(), "filename": f"p{n}.png"}).encode(), len(image)
    print(f"small uploads: PNG of {small_body(0)[1] / 1000:.1f} KB, all different, base64 JSON, {o.clients} connections")
    done = [0] * o.clients
    failed = [0] * o.clients
    stop = time.perf_counter() + o.small_seconds

    def client(index):
        c = http.client.HTTPConnection("127.0.0.1", o.port, timeout=60)
        i = index
        while time.perf_counter() < stop:
            c.request("POST", "/api/media/upload", body=small_body(i)[0], headers={**auth, "Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status == 201:
                done[index] += 1
            else:
                failed[index] += 1
            i += o.clients
        c.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(o.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    print(f"small uploads: {sum(done) / elapsed:.0f} per second ({sum(done)} in {elapsed:.1f} s, {sum(failed)} failed)")


if __name__ == "__main__":
    main()
