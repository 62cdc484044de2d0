#!/usr/bin/env python3
"""Fills a WaDesk database with N messages over D days on the organization's clients, for the
analytics benchmark (bench/analytics_bench.py, bench/README.md "Analytics at 1,000,000 messages").

The database must have WaDesk's schema and one organization with its clients (run wadesk once,
register, create the clients): the generator reads them, adds CONTACTS contacts and the messages
with multi-row INSERTs (500 rows a statement, 50,000 a transaction) through the schema's own
triggers, so the analytics roll-ups are filled exactly as WaDesk fills them. Then (PostgreSQL)
VACUUM FULL of the roll-up tables, and ANALYZE.

  analytics_data.py --db /path/wadesk.db|postgres://... [--messages 1000000] [--days 90]
                    [--contacts 20000] [--seed 12]

Traffic shape: 60 % outbound (read 55 %, delivered 25 %, sent 12 %, failed 8 %), 40 % inbound;
busier on weekdays and in working hours (UTC); every outbound message written by a member.
Message times run from D days before now to now, so "today" and the last 30 days hold data.
"""
import argparse, random, sqlite3, subprocess, sys, time

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
COLUMNS = ("id, organization_id, client_id, contact_id, direction, body, status, failure_reason, wa_message_id, created_by, "
           "created_at, sending_at, sent_at, delivered_at, read_at, failed_at, updated_at, type")
ROWS_PER_STATEMENT = 500
ROWS_PER_TRANSACTION = 50000


def make_id(prefix, ms, rng):
    t = ms & 0xFFFFFFFFFFFF
    head = "".join(ALPHABET[(t >> (5 * (9 - i))) & 31] for i in range(10))
    return f"{prefix}_{head}" + "".join(rng.choice(ALPHABET) for _ in range(16))


class Target:
    """A SQLite file (the stdlib module) or a PostgreSQL database (psql reading SQL on stdin)."""

    def __init__(self, url):
        self.pg = url.startswith(("postgres://", "postgresql://"))
        self.url = url
        if self.pg:
            self.psql = subprocess.Popen(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", url], stdin=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL, text=True)
        else:
            self.db = sqlite3.connect(url, isolation_level=None)
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")

    def query(self, sql):
        if self.pg:
            out = subprocess.run(["psql", "-X", "-A", "-t", "-F", "\t", "-c", sql, self.url], check=True, capture_output=True, text=True)
            return [line.split("\t") for line in out.stdout.splitlines() if line]
        return [list(map(str, r)) for r in self.db.execute(sql).fetchall()]

    def insert(self, table, columns, rows):
        if self.pg:
            values = ",".join("(" + ",".join(literal(v) for v in row) + ")" for row in rows)
            self.psql.stdin.write(f"INSERT INTO {table} ({columns}) VALUES {values};\n")
        else:
            marks = "(" + ",".join("?" * len(rows[0])) + ")"
            self.db.execute(f"INSERT INTO {table} ({columns}) VALUES " + ",".join([marks] * len(rows)),
                            [v for row in rows for v in row])

    def execute(self, sql):
        if self.pg:
            self.psql.stdin.write(sql + ";\n")
        else:
            self.db.execute(sql)

    def close(self):
        if self.pg:
            self.psql.stdin.close()
            if self.psql.wait() != 0:
                raise SystemExit("psql failed")
        else:
            self.db.close()


def literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True)
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--contacts", type=int, default=20000)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--now-ms", type=int, default=0, help="the end of the span (default: now)")
    o = p.parse_args()
    rng = random.Random(o.seed)
    target = Target(o.db)
    orgs = target.query("SELECT id FROM organizations ORDER BY created_at LIMIT 1")
    if not orgs:
        raise SystemExit("no organization: run wadesk once and register first")
    org = orgs[0][0]
    clients = [r[0] for r in target.query(f"SELECT id FROM clients WHERE organization_id = '{org}' ORDER BY created_at")]
    members = [r[0] for r in target.query(f"SELECT id FROM users WHERE organization_id = '{org}' ORDER BY created_at")]
    if not clients:
        raise SystemExit("the organization has no clients")
    now = o.now_ms or int(time.time() * 1000)
    start = now - o.days * 86400000
    began = time.time()

    contacts = []
    target.execute("BEGIN")
    batch = []
    for i in range(o.contacts):
        cid = make_id("ct", start, rng)
        contacts.append(cid)
        batch.append((cid, org, f"+1555{i:07d}", f"1555{i:07d}@c.us", start, start))
        if len(batch) == ROWS_PER_STATEMENT:
            target.insert("contacts", "id, organization_id, phone_number, wa_id, created_at, updated_at", batch)
            batch = []
    if batch:
        target.insert("contacts", "id, organization_id, phone_number, wa_id, created_at, updated_at", batch)
    target.execute("COMMIT")

    # Hour weights: working hours and weekdays busier (UTC).
    hour_weight = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 10, 10, 10, 9, 8, 6, 4, 3, 2, 2, 1]
    hours = []
    for h in range(o.days * 24 + 1):
        at = start - start % 3600000 + h * 3600000
        if at >= now:
            break
        weekday = (at // 86400000 + 3) % 7  # 0 Monday (1970-01-01 was a Thursday)
        hours.append((at, hour_weight[(at // 3600000) % 24] * (1 if weekday < 5 else 0.4)))
    cumulative = []
    total_weight = 0.0
    for _, w in hours:
        total_weight += w
        cumulative.append(total_weight)
    import bisect
    times = []
    for _ in range(o.messages):
        h = hours[bisect.bisect_left(cumulative, rng.random() * total_weight)][0]
        times.append(min(now - 1, max(start, h + rng.randrange(3600000))))
    times.sort()

    written = 0
    target.execute("BEGIN")
    batch = []
    for n, at in enumerate(times):
        client = clients[n % len(clients)]
        contact = contacts[rng.randrange(len(contacts))]
        if rng.random() < 0.4:
            row = (make_id("msg", at, rng), org, client, contact, "inbound", f"Inbound message {n}", "received", None,
                   f"false_{n}@c.us", None, at, None, at, None, None, None, at, "text")
        else:
            r = rng.random()
            status = "read" if r < 0.55 else "delivered" if r < 0.80 else "sent" if r < 0.92 else "failed"
            sent = at + 1500 if status != "failed" else None
            delivered = at + 4000 if status in ("delivered", "read") else None
            read = at + 60000 + rng.randrange(3600000) if status == "read" else None
            failed = at + 1500 if status == "failed" else None
            row = (make_id("msg", at, rng), org, client, contact, "outbound", f"Outbound message {n}", status,
                   "not_on_whatsapp" if failed else None, f"true_{n}@c.us", members[n % len(members)] if members else None,
                   at, at + 500, sent, delivered, read, failed, read or delivered or sent or failed, "text")
        batch.append(row)
        if len(batch) == ROWS_PER_STATEMENT:
            target.insert("messages", COLUMNS, batch)
            written += len(batch)
            batch = []
            if written % ROWS_PER_TRANSACTION == 0:
                target.execute("COMMIT")
                target.execute("BEGIN")
                print(f"  {written} messages", file=sys.stderr, flush=True)
    if batch:
        target.insert("messages", COLUMNS, batch)
    target.execute("COMMIT")
    if target.pg:
        # A million messages written in minutes update each roll-up row hundreds of times with no
        # autovacuum in between: the tables keep every dead version (message_rollups grows to
        # ~120 MB for 21,600 live rows). Over 90 days of real traffic autovacuum reclaims them as
        # it goes and the tables stay near their live size; compact them to measure that state.
        for table in ("message_rollups", "response_rollups", "response_runs", "response_changes"):
            target.execute(f"VACUUM FULL {table}")
    target.execute("ANALYZE")
    target.close()
    print(f"generated {o.messages} messages over {o.days} days on {len(clients)} clients, {o.contacts} contacts, "
          f"in {time.time() - began:.0f} s ({'PostgreSQL' if target.pg else 'SQLite'})")


if __name__ == "__main__":
    main()
