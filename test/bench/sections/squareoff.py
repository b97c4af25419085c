#!/usr/bin/env python3
"""Helpers of squareoff.sh (the "Square-off end to end" benchmark section).

  squareoff.py login PORT DUMP NOTIFY_FILE N SESSIONS_OUT
      logs in the N eligible clients of the dump with the most open lots through the real
      API (POST /api/v1/auth/otp, the OTP from the notification file, POST
      /api/v1/auth/login), at most 30 from each loopback source address (the server allows
      60 code requests and 60 logins per IP per 5 minutes), and keeps each session's cookie,
      CSRF token and open positions (GET /api/v1/positions).
  squareoff.py requests SESSIONS CURSOR_FILE COUNT TAG OUT
      writes COUNT irra-loadgen request lines: POST /api/v1/positions/square-off of one lot,
      taking the positions in rounds (round r: every position with more than r lots still
      open) from where the previous file stopped, so no position is ever asked for more than
      it holds. Idempotency-Key "sq-TAG-{seq}".
  squareoff.py counters METRICS_URL SIM_URL
      prints irra's order counters (/metrics) and the simulator's (/control/state) as JSON.
  squareoff.py settle METRICS_URL SIM_URL SECONDS
      waits until every order irra placed was sent, received by the exchange and filled in
      irra's mirror (or SECONDS pass); prints the counters and the time it took.
  squareoff.py record DB KIND RUN LOADGEN_JSON BEFORE END AFTER P99_BOUND_MS HZ T0 T1
                     IRRA_TICKS SIM_DB_TICKS LOADGEN_TICKS MACHINE_TICKS
      prints one run's line for runs.jsonl (see record() below).
  squareoff.py report RUNS_JSONL INFO_JSON OUT
      writes the section's JSON from the runs.
"""
import collections
import csv
import http.client
import json
import ssl
import statistics
import sys
import time
import urllib.request


def die(msg):
    sys.exit(f"squareoff.py: {msg}")


# ---------------------------------------------------------------------------------- login
def login(port, dump, notify, n, out):
    n = int(n)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    eligible = {r["ucc"] for r in csv.DictReader(open(f"{dump}/clients.csv")) if r["eligible"] == "Y"}
    lots = {r["instrument_id"]: int(r["lot_size"]) for r in csv.DictReader(open(f"{dump}/instruments.csv"))}
    open_lots = collections.Counter()
    for r in csv.DictReader(open(f"{dump}/positions.csv")):
        if r["ucc"] in eligible:
            open_lots[r["ucc"]] += abs(int(r["net_qty"])) // lots[r["instrument_id"]]
    chosen = [u for u, _ in open_lots.most_common(n)]
    if len(chosen) < n:
        die(f"only {len(chosen)} eligible clients with open positions; need {n}")

    def call(src, method, path, body=None, cookie=None):
        c = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=10,
                                        source_address=(src, 0))
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if cookie:
            headers["Cookie"] = cookie
        c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, r.getheader("Set-Cookie"), data

    seen = {}  # challenge_id -> otp, from the notification file
    offset = 0

    def read_otps():
        nonlocal offset
        try:
            with open(notify) as f:
                f.seek(offset)
                chunk = f.read()
        except FileNotFoundError:
            return
        end = chunk.rfind("\n") + 1
        offset += len(chunk[:end].encode())
        for line in chunk[:end].splitlines():
            try:
                m = json.loads(line)
            except ValueError:
                continue
            if m.get("type") == "otp":
                seen[m["ucc"]] = m["otp"]

    sessions = []
    for start in range(0, n, 30):  # one source address per 30 clients
        src = f"127.0.0.{2 + start // 30}"
        batch = chosen[start:start + 30]
        challenges = {}
        for ucc in batch:
            st, _, data = call(src, "POST", "/api/v1/auth/otp", {"login": ucc})
            if st != 202:
                die(f"POST /api/v1/auth/otp for {ucc}: {st} {data[:200]!r}")
            challenges[ucc] = json.loads(data)["challenge_id"]
            seen.pop(ucc, None)
        deadline = time.time() + 15
        while any(u not in seen for u in batch):
            if time.time() > deadline:
                die(f"no OTP in {notify} for {[u for u in batch if u not in seen][:5]}")
            time.sleep(0.05)
            read_otps()
        for ucc in batch:
            st, set_cookie, data = call(src, "POST", "/api/v1/auth/login",
                                        {"challenge_id": challenges[ucc], "otp": seen[ucc]})
            if st != 200 or not set_cookie:
                die(f"POST /api/v1/auth/login for {ucc}: {st} {data[:200]!r}")
            cookie = set_cookie.split(";", 1)[0]
            if not cookie.startswith("__Host-irra_session="):
                die(f"unexpected cookie {cookie.split('=')[0]}")
            csrf = json.loads(data)["csrf_token"]
            st, _, data = call(src, "GET", "/api/v1/positions", cookie=cookie)
            if st != 200:
                die(f"GET /api/v1/positions for {ucc}: {st} {data[:200]!r}")
            positions = [{"instrument": p["instrument"], "product": p["product"],
                          "lot": p["lot_size"], "lots": p["squareoff_qty"] // p["lot_size"]}
                         for p in json.loads(data) if p["squareoff_qty"] >= p["lot_size"] > 0]
            sessions.append({"ucc": ucc, "cookie": cookie, "csrf": csrf, "positions": positions})
    json.dump(sessions, open(out, "w"))
    total = sum(p["lots"] for s in sessions for p in s["positions"])
    npos = sum(len(s["positions"]) for s in sessions)
    print(f"   {len(sessions)} sessions, {npos} open positions, {total} lots to square off",
          file=sys.stderr)


# ---------------------------------------------------------------------------------- requests
def requests(sessions_file, cursor_file, count, tag, out):
    count = int(count)
    sessions = json.load(open(sessions_file))
    # Every (session, position), most lots first; the order within a round mixes the clients
    # because sorting by lots is unrelated to who holds them.
    pos = [(p["lots"], i, j) for i, s in enumerate(sessions) for j, p in enumerate(s["positions"])]
    pos.sort(key=lambda t: (-t[0], t[1], t[2]))
    capacity = sum(t[0] for t in pos)
    try:
        cursor = int(open(cursor_file).read())
    except (FileNotFoundError, ValueError):
        cursor = 0
    if cursor + count > capacity:
        die(f"the sessions' positions hold {capacity} lots; {cursor} used, {count} more asked")
    # Round r covers the positions with more than r lots: a prefix of pos.
    width = []
    k = len(pos)
    for r in range(pos[0][0] if pos else 0):
        while k > 0 and pos[k - 1][0] <= r:
            k -= 1
        width.append(k)
    r, skip = 0, cursor
    while skip >= width[r]:
        skip -= width[r]
        r += 1
    lines = []
    idx = skip
    while len(lines) < count:
        if idx >= width[r]:
            r, idx = r + 1, 0
            continue
        _, i, j = pos[idx]
        s, p = sessions[i], sessions[i]["positions"][j]
        lines.append(json.dumps({
            "method": "POST", "target": "/api/v1/positions/square-off",
            "headers": {"Cookie": s["cookie"], "X-CSRF-Token": s["csrf"],
                        "Content-Type": "application/json",
                        "Idempotency-Key": f"sq-{tag}-{{seq}}"},
            "body": json.dumps({"instrument": p["instrument"], "product": p["product"],
                                "qty": p["lot"], "order_type": "MARKET"})}))
        idx += 1
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(cursor_file, "w") as f:
        f.write(str(cursor + count))


# ---------------------------------------------------------------------------------- counters
def fetch_counters(metrics_url, sim_url):
    text = urllib.request.urlopen(metrics_url, timeout=5).read().decode()
    m = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, value = line.rpartition(" ")
        m[name] = float(value)
    state = json.loads(urllib.request.urlopen(sim_url + "/control/state?positions=0", timeout=5).read())
    return {
        "placed": int(m.get("irra_orders_placed_total", 0)),
        "sent": int(m.get("irra_orders_sent_total", 0)),
        "send_queue": int(m.get("irra_order_send_queue", 0)),
        "filled": int(m.get('irra_orders{status="FILLED"}', 0)),
        "rejected": int(m.get('irra_orders{status="REJECTED"}', 0)),
        "db_backlog": int(m.get("irra_db_write_backlog", 0)),
        "db_refused": int(m.get("irra_db_write_refused_total", 0)),
        "sim_received": state["orders_received"],
        "sim_accepted": state["orders_accepted"],
        "sim_rejected": state["orders_rejected"],
        "sim_fills": state["fills"],
    }


def counters(metrics_url, sim_url):
    print(json.dumps(fetch_counters(metrics_url, sim_url)))


def settle(metrics_url, sim_url, seconds):
    t0 = time.time()
    while True:
        c = fetch_counters(metrics_url, sim_url)
        done = (c["sent"] == c["placed"] and c["sim_received"] == c["sent"]
                and c["filled"] + c["rejected"] == c["placed"])
        if done or time.time() - t0 > float(seconds):
            c["settled"] = done
            c["settle_s"] = round(time.time() - t0, 2)
            print(json.dumps(c))
            return
        time.sleep(0.1)


# ---------------------------------------------------------------------------------- record
def record(db, kind, run, loadgen_out, before, end, after, p99_bound, hz, w0, w1,
           irra_ticks, sim_ticks, loadgen_ticks, machine_ticks):
    # sim_ticks: irra-exchange-sim and, on MariaDB, mariadbd.
    """One run's line for runs.jsonl: irra-loadgen's summary, the counters' deltas, the
    checks (every 202 an order placed, sent on the wire and filled) and whether a step of
    the ladder passed."""
    lg = json.load(open(loadgen_out))
    b, e, a = json.loads(before), json.loads(end), json.loads(after)
    d = {k: a[k] - b[k] for k in b if isinstance(b[k], int) and not isinstance(b[k], bool)}
    ok = lg["ok"]
    bad = sum(n for s, n in lg["statuses"].items() if not s.startswith("2"))
    errors = bad + lg["not_sent"] + lg["unanswered"] + lg["connection_errors"]
    problems = []
    if bad:
        problems.append(f"statuses {lg['statuses']}")
    for k in ("not_sent", "unanswered", "connection_errors"):
        if lg[k]:
            problems.append(f"{lg[k]} {k.replace('_', ' ')}")
    if d["placed"] != ok:
        problems.append(f"{ok} answers 202 but {d['placed']} orders placed")
    if d["sim_received"] < d["placed"]:
        problems.append(f"{d['placed'] - d['sim_received']} placed orders not received by the "
                        f"exchange {a['settle_s']} s after the run")
    if d["filled"] < d["placed"]:
        problems.append(f"{d['placed'] - d['filled']} placed orders not filled in irra's mirror "
                        f"{a['settle_s']} s after the run")
    if d["sim_rejected"] or d["rejected"]:
        problems.append(f"{d['sim_rejected']} orders rejected by the exchange")
    # The wire keeps up when, as the schedule ends, at most 100 ms of orders wait to be sent.
    lag = e["placed"] - e["sim_received"]
    offered = lg["offered_rate"]
    keeps_up = lag <= max(50, offered * 0.1)
    if not keeps_up:
        problems.append(f"{lag} orders placed but not yet on the wire as the schedule ended")
    p99 = lg["latency_ms"]["p99"]
    passed = (errors == 0 and keeps_up and p99 <= float(p99_bound)
              and lg["achieved_rate"] >= 0.95 * offered and not problems)
    hz, wall = int(hz), float(w1) - float(w0)
    cpu_us = (round(int(irra_ticks) * 1e6 / hz / lg["completed"], 1) if lg["completed"] else None)
    # Where the machine's CPU went during the run, in cores; "other" is everything else on
    # the machine (other work makes the latencies the least reliable figures).
    cores = {k: round(int(v) / hz / wall, 2) for k, v in (
        ("irra", irra_ticks), ("sim_and_db", sim_ticks), ("loadgen", loadgen_ticks), ("machine", machine_ticks))}
    cores["other"] = round(max(0.0, cores["machine"] - cores["irra"] - cores["sim_and_db"] - cores["loadgen"]), 2)
    print(json.dumps({"db": db, "kind": kind, "run": int(run), "offered_rate": offered,
                      "achieved_rate": lg["achieved_rate"], "latency_ms": lg["latency_ms"],
                      "statuses": lg["statuses"], "errors": errors, "cpu_us_per_order": cpu_us, "cores": cores,
                      "passed": passed, "problems": problems,
                      "counters": {"delta": d, "send_lag_at_end": lag,
                                   "settle_s": a["settle_s"]}}))
    why = [w for w, bad in ((f"p99 over {float(p99_bound):g} ms", p99 > float(p99_bound)),
                            ("under 95% of the offered rate achieved",
                             lg["achieved_rate"] < 0.95 * offered)) if bad]
    status = "; ".join(problems + why) or "ok"
    if kind == "step":
        status = ("passed" if passed else "failed") + ("" if status == "ok" else f": {status}")
    print(f"   {db} {kind} {offered:g}/s: achieved {lg['achieved_rate']:g}/s, "
          f"p50 {lg['latency_ms']['p50']} ms, p99 {p99} ms, max {lg['latency_ms']['max']} ms, "
          f"irra {cpu_us} µs CPU/order, cores irra {cores['irra']} other {cores['other']}, {status}",
          file=sys.stderr)


# ---------------------------------------------------------------------------------- report
def median(xs):
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs), 3) if xs else None


def report(runs_file, info_file, out):
    runs = [json.loads(line) for line in open(runs_file) if line.strip()]
    info = json.load(open(info_file))
    figures, series, notes = [], {}, list(info.pop("notes", []))
    p99_bound = info["sustained_p99_bound_ms"]
    dbs = [("sqlite", "SQLite"), ("mariadb", "MariaDB")]
    for db, name in dbs:
        lat = [r for r in runs if r["db"] == db and r["kind"] == "latency"]
        steps = [r for r in runs if r["db"] == db and r["kind"] == "step"]
        if not lat and not steps:
            continue
        rate = info["latency_rate"]
        for key, label, target in (
                ("p50", "p50", None),
                ("p99", "p99", {"op": "<=", "value": 2, "text": "p99 under 2 ms at 500 orders/s"}),
                ("p999", "p99.9", None), ("max", "max", None)):
            vals = [r["latency_ms"][key] for r in lat]
            figures.append({"id": f"squareoff.{db}.{key}_at_{rate}",
                            "label": f"{label} at {rate} orders/s offered, {name}",
                            "unit": "ms", "better": "lower", "value": median(vals), "runs": vals,
                            "baseline": None, "target": target if rate == 500 else None})
        cpu = [r["cpu_us_per_order"] for r in lat]
        figures.append({"id": f"squareoff.{db}.cpu_us_per_order",
                        "label": f"irra CPU per square-off at {rate} orders/s, {name}",
                        "unit": "µs", "better": "lower", "value": median(cpu), "runs": cpu,
                        "baseline": None, "target": None})
        # Sustained: per run of the ladder, the highest offered rate that passed.
        by_run = collections.defaultdict(list)
        for s in steps:
            by_run[s["run"]].append(s)
        sustained = []
        for run, ss in sorted(by_run.items()):
            best = 0
            for s in sorted(ss, key=lambda s: s["offered_rate"]):
                if s["passed"]:
                    best = max(best, s["offered_rate"])
            sustained.append(best)
        target = ({"op": ">=", "value": 5000, "text": "5,000 orders/s sustained on MariaDB"}
                  if db == "mariadb" else None)
        figures.append({"id": f"squareoff.{db}.sustained",
                        "label": f"square-off sustained, {name}", "unit": "orders/s",
                        "better": "higher", "value": median(sustained), "runs": sustained,
                        "baseline": None, "target": target})
        peak = [max(s["achieved_rate"] for s in ss) for _, ss in sorted(by_run.items())]
        figures.append({"id": f"squareoff.{db}.peak_achieved",
                        "label": f"square-off most achieved in the ladder (any latency), {name}",
                        "unit": "orders/s", "better": "higher", "value": median(peak),
                        "runs": peak, "baseline": None, "target": None})
        ladder = info["ladder"]
        if ladder and ladder[-1] in sustained:
            notes.append(f"{name}: the top step of the ladder ({ladder[-1]}/s) passed: the "
                         f"sustained rate may be higher than measured")
        # The plot: per offered rate, the medians over the runs of the ladder.
        rows = []
        by_rate = collections.defaultdict(list)
        for s in steps:
            by_rate[s["offered_rate"]].append(s)
        for rate_, ss in sorted(by_rate.items()):
            rows.append([rate_, median([s["achieved_rate"] for s in ss]),
                         median([s["latency_ms"]["p50"] for s in ss]),
                         median([s["latency_ms"]["p99"] for s in ss]),
                         int(median([s["errors"] for s in ss]))])
        series[f"squareoff_{db}"] = {
            "title": f"Square-off, {name}", "x": "offered orders/s", "y": "latency ms",
            "columns": ["offered", "achieved", "p50_ms", "p99_ms", "errors"], "rows": rows}
        for r in runs:
            if r["db"] == db and r.get("problems"):
                notes.append(f"{name}, {r['kind']} at {r['offered_rate']}/s (run {r['run']}): "
                             + "; ".join(r["problems"]))
        other = [r["cores"]["other"] for r in lat + steps]
        if other and statistics.median(other) > 0.25:
            notes.append(f"{name}: the machine was busy with other work during the runs (median "
                         f"{statistics.median(other):.2f} cores used by other processes; the 2 cores "
                         f"are shared): the latencies are the least reliable figures")
        refused = [s for s in steps if s["statuses"].get("503") or s["statuses"].get("429")]
        if refused:
            first = min(refused, key=lambda s: s["offered_rate"])
            notes.append(f"{name}: irra refused square-offs under load from {first['offered_rate']}/s "
                         f"offered (statuses {first['statuses']})")
    info["runs"] = [{k: r[k] for k in ("db", "kind", "run", "offered_rate", "achieved_rate",
                                       "latency_ms", "statuses", "errors", "cpu_us_per_order", "cores",
                                       "passed", "counters") if k in r} for r in runs]
    doc = {"section": "squareoff", "title": "Square-off end to end", "figures": figures,
           "series": series, "info": info, "notes": notes}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    for fig in figures:
        print(f"   {fig['label']}: {fig['value']} {fig['unit']} (runs {fig['runs']})", file=sys.stderr)


if __name__ == "__main__":
    cmds = {"login": login, "requests": requests, "counters": counters, "settle": settle,
            "record": record, "report": report}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        die("usage: see the top of this file")
    cmds[sys.argv[1]](*sys.argv[2:])
