#!/usr/bin/env python3
"""The table of scripts/bench: reads each section's JSON (test/bench/README in
docs/benchmarks.md, "Section results"), prints every figure next to its baseline and target,
writes the whole run as one JSON document, compares it with an earlier one (--compare) and,
with --docs, regenerates docs/capacity.md and its plots."""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

REGRESSION = 0.10  # a figure worse by more than this fraction is flagged by --compare

# What limits a figure that misses its target, by figure id prefix: what profiles (perf) and
# the databases' counters showed when the targets were last examined. The capacity report
# names it under "Targets not met"; keep it in step with the code.
LIMITS = {
    "http.positions": "one reactor thread does TLS, HTTP and the JSON for every request: "
    "perf shows the kernel's loopback TCP ~29%, context switches ~12% (the reactor shares two "
    "cores with wrk), building the positions JSON ~19%, OpenSSL ~12%, malloc ~8%; nginx sends a "
    "cached file from two workers. Lift: cache each client's serialized answer until the Book "
    "changes that client; fewer allocations per request; TLS and HTTP on two threads with the "
    "trading state kept on its strand",
    "squareoff": "the single database writer thread: about 12 statements an order, each a round "
    "trip on MariaDB; statements prepared again every time (sqlite3_prepare_v2 18%) and "
    "AuditChain::append re-reading the chain head with a duplicate check per event (19%); about "
    "1 ms of irra's CPU an order. Lift: statements prepared once per writer session, the chain "
    "head kept on the writer for a batch, multi-row inserts per batch",
    "sod.mariadb": "IRRA writes all five files (1.5 million rows) through multi-row INSERTs over "
    "the client protocol after validating every row; the baseline loads positions.csv only. "
    "Lift: LOAD DATA LOCAL INFILE of the validated rows, or the tables in parallel",
    "startup.mariadb.rss": "the MySQL client's buffered result sets of the load stayed "
    "resident; irra serve now hands freed heap back after loading (malloc_trim): 386 MB "
    "measured after that change",
    "capacity.users_held": "descriptors (20,000 a process here: two connections a user), memory "
    "(about 71 kB of server memory per idle TLS connection and per stream: 150,000 users need "
    "about 21 GB), and the per-request CPU of the request-load row; any error or dropped stream "
    "in a step ends the ramp",
    "capacity.request_load": "CPU: the reactor thread's per-request cost (see the HTTPS row) "
    "with the load generator on the same two cores",
}


def limit_of(fid):
    best = max((k for k in LIMITS if fid.startswith(k)), key=len, default=None)
    return LIMITS[best] if best else "see the notes of the run below"


def load_results(results_dir, status_file):
    status = {}
    if status_file and os.path.exists(status_file):
        for line in open(status_file):
            if line.strip():
                s = json.loads(line)
                status[s["section"]] = s
    sections = []
    for name, st in status.items():
        path = os.path.join(results_dir, name + ".json")
        doc = {"section": name, "title": name, "figures": [], "series": {}, "info": {},
               "notes": []}
        if os.path.exists(path):
            try:
                doc.update(json.load(open(path)))
            except ValueError as e:
                st = dict(st, ok=False)
                doc["notes"].append(f"{name}.json is not JSON: {e}")
        doc["ok"] = bool(st.get("ok"))
        doc["seconds"] = st.get("seconds")
        sections.append(doc)
    return sections


def judge(fig):
    """Adds ratio and met (True, False or None when it cannot be judged) to a figure."""
    base = fig.get("baseline") or None
    value = fig.get("value")
    ratio = None
    if base and base.get("value") and value is not None:
        ratio = value / base["value"]
    fig["ratio"] = ratio
    t = fig.get("target")
    met = None
    if t and value is not None:
        lhs, rhs = (ratio, t["ratio"]) if "ratio" in t else (value, t.get("value"))
        if lhs is not None and rhs is not None:
            met = lhs >= rhs if t["op"] == ">=" else lhs <= rhs
    fig["met"] = met
    return fig


def num(v, unit=""):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1000:
        s = f"{v:,.0f}"
    elif a >= 100:
        s = f"{v:.0f}"
    elif a >= 10:
        s = f"{v:.1f}"
    elif a >= 0.1 or a == 0:
        s = f"{v:.2f}"
    else:
        s = f"{v:.3f}"
    return f"{s} {unit}".strip()


def target_text(fig):
    t = fig.get("target")
    if not t:
        return "-"
    op = "≥" if t["op"] == ">=" else "≤"
    if "ratio" in t:
        return f"{op} {t['ratio']:g}× baseline"
    return f"{op} {num(t['value'], fig.get('unit', ''))}"


def met_text(met):
    return {True: "yes", False: "NO", None: "-"}[met]


def print_table(doc, out=sys.stdout):
    m = doc["machine"]
    print(file=out)
    print(f"IRRA benchmarks, {doc['mode']} run, {doc['time']}, {m.get('git', '')}", file=out)
    print(f"{m.get('cpu_model', '?')}, {m.get('cores')} cores, {m.get('memory_mb', 0) // 1024} GB, "
          f"{m.get('os', '')}, load before {' '.join(m.get('load_before', []))}", file=out)
    print("The load generators and the servers share the cores; values are medians of the runs; "
          "ratio = value / baseline of the same run.", file=out)
    if doc["mode"] == "smoke":
        print("SMOKE RUN: tiny inputs and seconds-long runs that only check the harness; "
              "the figures and 'met' say nothing about the targets.", file=out)
    rows = [("figure", "value", "baseline (same run)", "ratio", "target", "met")]
    for sec in doc["sections"]:
        state = "" if sec["ok"] else "  (FAILED: see the log)"
        rows.append((f"{sec.get('title', sec['section'])}{state}", "", "", "", "", ""))
        for f in sec["figures"]:
            base = f.get("baseline")
            btxt = f"{base['label']}: {num(base.get('value'), f.get('unit', ''))}" if base else "-"
            rows.append(("  " + f["label"], num(f.get("value"), f.get("unit", "")), btxt,
                         "-" if f.get("ratio") is None else f"{f['ratio']:.2f}×",
                         target_text(f), met_text(f.get("met"))))
    widths = [min(max(len(r[i]) for r in rows), cap) for i, cap in enumerate((64, 18, 52, 8, 22, 4))]
    for r in rows:
        if r[1:] == ("",) * 5 and r is not rows[0]:
            print(r[0], file=out)
            continue
        cells = [r[i][:widths[i]].ljust(widths[i]) if i in (0, 2, 4) else r[i].rjust(widths[i])
                 for i in range(6)]
        print("  ".join(cells).rstrip(), file=out)
    figs = doc["figures"]
    judged = [f for f in figs if f.get("met") is not None]
    print(f"\ntargets met: {sum(1 for f in judged if f['met'])} of {len(judged)}; "
          f"sections failed: {sum(1 for s in doc['sections'] if not s['ok'])}", file=out)
    for sec in doc["sections"]:
        for n in sec.get("notes", []):
            print(f"note ({sec['section']}): {n}", file=out)


def compare(doc, old, out=sys.stdout):
    olds = {f["id"]: f for f in old.get("figures", [])}
    print(f"\nCompared with {old.get('time', '?')} ({old.get('mode', '?')} run, "
          f"{old.get('machine', {}).get('git', '')}); a change worse than "
          f"{REGRESSION:.0%} is flagged", file=out)
    regressions = []
    rows = [("figure", "before", "now", "change", "ratio before → now", "")]
    for f in doc["figures"]:
        o = olds.get(f["id"])
        if not o or o.get("value") in (None, 0) or f.get("value") is None:
            continue
        ch = (f["value"] - o["value"]) / abs(o["value"])
        worse = ch < -REGRESSION if f.get("better", "higher") == "higher" else ch > REGRESSION
        rat = "-"
        if f.get("ratio") is not None and o.get("ratio") is not None:
            rat = f"{o['ratio']:.2f} → {f['ratio']:.2f}"
        flag = "REGRESSION" if worse else ""
        if worse:
            regressions.append(f["id"])
        rows.append((f["label"], num(o["value"], f.get("unit", "")),
                     num(f["value"], f.get("unit", "")), f"{ch:+.1%}", rat, flag))
    gone = [i for i in olds if i not in {f["id"] for f in doc["figures"]}]
    widths = [min(max(len(r[i]) for r in rows), 64) for i in range(6)]
    for r in rows:
        print("  ".join(r[i][:widths[i]].ljust(widths[i]) if i == 0 else r[i].rjust(widths[i])
                        for i in range(6)).rstrip(), file=out)
    if gone:
        print(f"not measured in this run: {', '.join(gone)}", file=out)
    print(f"regressions: {len(regressions)}", file=out)
    return regressions


# --- docs/capacity.md ------------------------------------------------------------------------

def fig(doc, fid):
    return next((f for f in doc["figures"] if f["id"] == fid), None)


def val(doc, fid):
    f = fig(doc, fid)
    return None if f is None else f.get("value")


def plot(series_list, title, xlabel, path, logx=False):
    """A latency-versus-load SVG with gnuplot: p50 and p99 of each series against its x."""
    gp = shutil.which("gnuplot")
    if not gp or not series_list:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        plots = []
        for i, (name, s) in enumerate(series_list):
            cols = s["columns"]
            data = os.path.join(tmp, f"s{i}.dat")
            with open(data, "w") as fh:
                for row in s["rows"]:
                    fh.write(" ".join("nan" if v is None else str(v) for v in row) + "\n")
            x = cols.index(s.get("x_column", cols[0])) + 1
            for col, style in (("p50_ms", "dashtype 2"), ("p99_ms", "dashtype 1")):
                if col in cols:
                    plots.append(f"'{data}' using {x}:{cols.index(col) + 1} with linespoints "
                                 f"{style} lw 2 title '{name} {col[:-3]}'")
        script = f"""set terminal svg size 800,480 dynamic font 'sans,12'
set output '{path}'
set title '{title}'
set xlabel '{xlabel}'
set ylabel 'latency, ms (from the scheduled time)'
set logscale y
{'set logscale x' if logx else ''}
set grid
set key top left
set arrow from graph 0, first 100 to graph 1, first 100 nohead dashtype 3 lc rgb 'red'
plot {', '.join(plots)}
"""
        r = subprocess.run([gp], input=script, text=True, capture_output=True)
        if r.returncode != 0:
            print(f"gnuplot failed: {r.stderr.strip()}", file=sys.stderr)
            return False
    return True


def users_at(rate_per_s, per_user_per_min):
    return None if rate_per_s is None else rate_per_s * 60 / per_user_per_min


def write_capacity(doc, json_path, docs_dir):
    m = doc["machine"]
    sec = {s["section"]: s for s in doc["sections"]}
    cap_series = sec.get("capacity", {}).get("series", {})
    sq_series = sec.get("squareoff", {}).get("series", {})
    cap_plot = plot([(s.get("title", n), s) for n, s in cap_series.items()],
                    "Capacity: latency against simulated users (10 requests/user/minute)",
                    "users (each with a session and a live-update stream)",
                    os.path.join(docs_dir, "capacity-users.svg"))
    sq_plot = plot([(s.get("title", n), s) for n, s in sq_series.items()],
                   "Square-off end to end: latency against offered rate (open loop)",
                   "offered square-offs per second", os.path.join(docs_dir, "capacity-squareoff.svg"),
                   logx=True)

    http_rps = val(doc, "http.positions.rps_vs_nginx")
    http_cpu = val(doc, "http.positions.cpu_us_vs_nginx")
    users = val(doc, "capacity.users_held")
    mem_tls = val(doc, "capacity.kb_per_idle_tls")
    mem_sse = val(doc, "capacity.kb_per_idle_sse")
    mem_user = (mem_tls or 0) + (mem_sse or 0) or None
    load_users = val(doc, "capacity.request_load_users_held")
    sq_my = val(doc, "squareoff.mariadb.sustained")
    sq_lite = val(doc, "squareoff.sqlite.sustained")
    ing_lite = val(doc, "ingest.sqlite.reports_per_s")
    ing_my = val(doc, "ingest.mariadb.reports_per_s")
    feed = val(doc, "ingest.e2e.sqlite.reports_per_s")
    act_conf = val(doc, "activation.confirmed_s")
    act_count = sec.get("activation", {}).get("info", {}).get("clients", 100000)
    mq_rate = act_count / act_conf if act_conf else None
    rss = val(doc, "startup.rss_mb")
    cap_notes = sec.get("capacity", {}).get("notes", [])
    cap_stop = next((n.split(": ", 1)[1] for n in cap_notes if n.startswith("browser model:")),
                    "see the notes")

    # The model: 10 requests a minute a user; a square-off in 1% of them; each user's
    # positions are moved by the drop copy at 1 report a minute (an active trader on the main
    # site); a login sends one OTP message and an activation one notice.
    def row(component, ceiling, users_n, bottleneck):
        u = "-" if users_n is None else f"{users_n:,.0f}"
        return f"| {component} | {ceiling} | {u} | {bottleneck} |"

    per_core_rps = 1e6 / http_cpu if http_cpu else None
    lines = [
        "# Capacity report",
        "",
        f"Generated by `scripts/bench` from `capacity.json` (a copy of "
        f"`{doc.get('json', os.path.basename(json_path))}`) "
        f"({doc['mode']} run, {doc['time']}, {m.get('git', '')}) on {m.get('cpu_model', '?')}, "
        f"{m.get('cores')} cores, {m.get('memory_mb', 0) // 1024} GB RAM, {m.get('os', '')}. "
        "Run `scripts/bench` to measure it again: this file and its plots are rewritten after "
        "every full run. The load generators run on the same two cores as the servers, so "
        "every ceiling below is a floor for a machine of the same size with the load coming "
        "from elsewhere.",
        "",
        "## The user model",
        "",
        "The original plan's model: a user makes 10 requests a minute. A simulated user here "
        "logs in through the real OTP flow, holds a live-update stream (`GET /api/v1/stream`) "
        "open, and makes 10 requests a minute in a realistic mix (positions, orders, trades, "
        "funds, holdings and an occasional square-off), each latency counted from the "
        "request's scheduled time (open loop). Users are added step by step until p99 "
        "exceeds 100 ms or errors appear; the capacity is the largest number held for a "
        "minute. For the per-component rows, users = the component's ceiling in events/s × 60 "
        "/ events per user per minute: 10 requests, 0.1 square-offs (1% of requests), one "
        "drop-copy report (a busy main-site trader) and one notification (an OTP at login).",
        "",
        "## The plan and the measurement",
        "",
        "| | the original plan | IRRA, measured |",
        "|---|---|---|",
        "| machines | a dozen cloud VMs running Node.js (web tier, application tier, database, queue) | one 2-core VM, one process |",
        f"| concurrent users at 10 requests/minute | 3,593 (estimated on paper) | "
        f"{'-' if users is None else f'{users:,.0f}'} held with a connection and a live stream "
        f"each ({cap_stop}); {'-' if load_users is None else f'{load_users:,.0f}'} users' "
        "requests held over shared connections (measured: p99 < 100 ms, no errors, for the "
        "step's hold) |",
        f"| requests/s at that load | about 600 | "
        f"{'-' if load_users is None else f'{load_users / 6:,.0f}'} |",
        f"| one web process, `GET /api/v1/positions` | about 5,000 requests/s (one Express process, measured here: "
        f"{num(val(doc, 'http.positions.express_rps'), 'req/s')}) | {num(http_rps, 'req/s')} |",
        "",
        "## Per component",
        "",
        "| component | measured ceiling on this machine | users it supports | what limits it |",
        "|---|---|---|---|",
        row("TLS/HTTP (keep-alive `GET /api/v1/positions`, 64 connections)",
            f"{num(http_rps, 'requests/s')}; {num(http_cpu, 'µs')} of server CPU a request",
            users_at(http_rps, 10),
            "CPU: TLS record encryption and the HTTP parser on the reactor thread; the load "
            "generator takes the other core"),
        row("held connections (a keep-alive TLS connection and a live-update stream a user)",
            f"{num(mem_tls, 'kB')} a TLS connection + {num(mem_sse, 'kB')} a stream of server memory",
            None if not mem_user else (m.get("memory_mb", 0) * 1024 * 0.5) / mem_user,
            "memory, if half the machine's is given to connections (TLS record and BIO buffers "
            "of about 17 KiB each per connection); and the process's descriptor limit"),
        row("request load alone (users' requests over shared connections, no streams)",
            f"{num(None if load_users is None else load_users / 6, 'requests/s')} held with p99 < 100 ms",
            load_users, "CPU: the one reactor thread (TLS, HTTP, JSON) and the load generator on two cores"),
        row("application logic (session lookup, risk gate, JSON)",
            f"{num(per_core_rps, 'requests/s')} a core from the CPU time per request",
            users_at(per_core_rps, 10), "one reactor thread owns the trading state"),
        row("database writes, square-off (durable order before the answer), MariaDB",
            num(sq_my, "orders/s"), users_at(sq_my, 0.1),
            "the writer thread's statements, a round trip each (about 12 an order)"),
        row("database writes, square-off, SQLite", num(sq_lite, "orders/s"),
            users_at(sq_lite, 0.1), "the writer thread: statements prepared again, the audit "
            "chain's reads, commits"),
        row("database writes, drop copy applied and persisted (in process), SQLite / MariaDB",
            f"{num(ing_lite, 'reports/s')} / {num(ing_my, 'reports/s')}",
            users_at(min(x for x in (ing_lite, ing_my) if x) if (ing_lite or ing_my) else None, 1),
            "the writer thread's batched inserts"),
        row("exchange feed (simulator at its maximum flow rate, over FIX/TCP)",
            num(feed, "reports/s"), users_at(feed, 1),
            "the FIX session's parse and apply on the reactor, and the simulator sharing the cores"),
        row("message queue (RabbitMQ, publisher confirms, from the outbox)",
            num(mq_rate, "messages/s"), users_at(mq_rate, 1),
            "the relay's confirm round trips; the broker on the same cores"),
        "",
        f"Memory: {num(rss, 'MB')} resident with 100,000 clients and 1,000,000 positions loaded "
        "(the start-up figure).",
        "",
        "## Scaling to the plan's machines",
        "",
        "Assumptions: the plan's dozen VMs are general-purpose cloud instances of 2 vCPUs each "
        "(the plan names Node.js VMs, not sizes); a vCPU is a hyper-thread of a core like this "
        "machine's; the load comes from the network instead of from the same machine. Then:",
        "",
        "- The CPU-bound rows (TLS/HTTP, application logic) roughly double on a machine of the "
        "same size when the load generator no longer shares it. IRRA runs its trading state on "
        "one reactor thread and TLS on the same thread, so more cores help only the "
        "database writer, the publisher and the operating system's networking: a 4- or 8-vCPU "
        "instance gains less than its core count suggests. The plan's dozen VMs hold 24 vCPUs; "
        "IRRA's design uses about two.",
        "- The database rows depend on the disk's fsync latency (one per batch), not on the "
        "core count: a cloud volume with a 1 ms fsync lowers the square-off row's durable "
        "latency floor, not its batched throughput, by much.",
        "- Memory per connection scales linearly: 150,000 users with a connection and a stream "
        f"each need about {num(None if not mem_user else 150000 * mem_user / 1024, 'MB')} for "
        "them in the server, and a process descriptor limit above 300,000.",
        "",
        "## Plots",
        "",
    ]
    if cap_plot:
        lines += ["![Capacity: latency against users](capacity-users.svg)", ""]
    if sq_plot:
        lines += ["![Square-off: latency against offered rate](capacity-squareoff.svg)", ""]
    if not (cap_plot or sq_plot):
        lines += ["(no plot: gnuplot missing or no series in this run)", ""]
    unmet = [f for f in doc["figures"] if f.get("met") is False]
    lines += ["## Targets not met in this run", ""]
    if not unmet:
        lines += ["None.", ""]
    for f in unmet:
        lines.append(f"- {f['label']}: {num(f['value'], f.get('unit', ''))} against "
                     f"{target_text(f)}. Limit: {limit_of(f['id'])}.")
    lines += ["", "## Notes from the run", ""]
    for s in doc["sections"]:
        for n in s.get("notes", []):
            lines.append(f"- {s['section']}: {n}")
    lines += ["", "## The full table", "", "```"]
    import io
    buf = io.StringIO()
    print_table(doc, buf)
    lines += buf.getvalue().strip("\n").splitlines() + ["```", ""]
    open(os.path.join(docs_dir, "capacity.md"), "w").write("\n".join(lines))
    with open(os.path.join(docs_dir, "capacity.json"), "w") as fh:
        json.dump(doc, fh, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results")
    ap.add_argument("--status")
    ap.add_argument("--machine")
    ap.add_argument("--out")
    ap.add_argument("--compare")
    ap.add_argument("--docs", help="regenerate DIR/capacity.md and its plots")
    ap.add_argument("--from-json", help="re-render an earlier run's JSON instead of --results")
    a = ap.parse_args()
    if a.from_json:
        doc = json.load(open(a.from_json))
        out = a.from_json
    else:
        machine = json.load(open(a.machine))
        sections = load_results(a.results, a.status)
        figures = []
        for s in sections:
            for f in s["figures"]:
                judge(f)
                figures.append(dict(f, section=s["section"]))
        doc = dict(benchmark="irra", mode=machine.get("mode"),
                   time=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                   machine=dict(machine, load_after=open("/proc/loadavg").read().split()[:3]),
                   sections=sections, figures=figures)
        out = a.out
        doc["json"] = os.path.basename(out)
        json.dump(doc, open(out, "w"), indent=2)
    print_table(doc)
    regressions = []
    if a.compare:
        regressions = compare(doc, json.load(open(a.compare)))
    if a.docs:
        write_capacity(doc, os.path.abspath(out), os.path.abspath(a.docs))
        print(f"docs: {os.path.join(a.docs, 'capacity.md')}")
    print(f"JSON: {out}")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
