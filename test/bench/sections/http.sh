#!/usr/bin/env bash
# scripts/bench section "http": Positions over HTTPS (quality.md, "Speed and scale", first two
# rows). Runs scripts/bench-http — GET /api/v1/positions with logged-in sessions over
# keep-alive connections, next to nginx serving a static file of the same size and to a
# minimal Express server (one process, and a cluster), in turn in the same run — and writes
# its figures as the section JSON at $IRRA_BENCH_OUT.
set -euo pipefail

: "${IRRA_BENCH_ROOT:?}" "${IRRA_BENCH_BUILD:?}" "${IRRA_BENCH_WORK:?}" "${IRRA_BENCH_OUT:?}"
export IRRA_BENCH_SECTION=${IRRA_BENCH_SECTION:-http}
# shellcheck source=SCRIPTDIR/../lib.sh
source "$IRRA_BENCH_ROOT/test/bench/lib.sh"

mode=${IRRA_BENCH_MODE:-full}
case "$mode" in
  full) settings=(--runs 5 --duration 10 --connections 64) ;;
  quick) settings=(--runs 2 --duration 5 --connections 64) ;;
  # Only that the harness works: a small dump, 4 sessions, one short run per server.
  smoke) settings=(--runs 1 --duration 1 --connections 4 --clients 200 --rate 200 --warmup 1) ;;
  *) bench_die "unknown IRRA_BENCH_MODE '$mode' (full, quick or smoke)" ;;
esac

# bench-http uses ports P+1..P+7.
port_base=$(bench_ports 8)
raw="$IRRA_BENCH_WORK/http.json"
bench_say "scripts/bench-http ${settings[*]} (ports $((port_base + 1))-$((port_base + 7)))"
"$IRRA_BENCH_ROOT/scripts/bench-http" --binary-dir "$IRRA_BENCH_BUILD/src" \
  --port-base "$port_base" --out "$raw" "${settings[@]}" >&2 ||
  bench_die "scripts/bench-http failed"

python3 - "$raw" "$IRRA_BENCH_OUT" "$mode" << 'PY'
import json, sys

raw, out, mode = sys.argv[1:]
r = json.load(open(raw))
cl, st = r["closed_loop"], r["settings"]
opens = {o["server"]: o for o in r["open_loop"]}
workers = st.get("express_cluster_workers")
labels = {
    "irra": "IRRA, GET /api/v1/positions",
    "nginx": "nginx static file, same TLS",
    "express": "one Express process",
    "express-cluster": f"Express cluster, {workers} workers",
}


def side(name, key):
    """(median, runs) of a closed-loop figure of server NAME, or None."""
    s = cl.get(name)
    if not s:
        return None
    return {
        "rps": (s["rps_median"], s["rps_runs"]),
        "cpu": (s["cpu_us_per_req_median"], s["cpu_us_per_req_runs"]),
        "p99": (s["p99_ms_median"], s["p99_ms_runs"]),
        "p50": (s["p50_ms_median"], s["p50_ms_runs"]),
    }[key]


def baseline(name, key):
    v = side(name, key)
    return None if v is None else {"label": labels[name], "value": v[0], "runs": v[1]}


figures = []


def figure(fid, label, unit, better, value, base, target):
    if value is None:
        return
    figures.append({"id": fid, "label": label, "unit": unit, "better": better,
                    "value": value[0], "runs": value[1], "baseline": base, "target": target})


def ratio_target(base, op, ratio, text):
    return {"op": op, "ratio": ratio, "text": text} if base else None


b = baseline("nginx", "rps")
figure("http.positions.rps_vs_nginx",
       "GET /api/v1/positions, requests/s (vs nginx static file)", "req/s", "higher",
       side("irra", "rps"), b, ratio_target(b, ">=", 1.0, "at least nginx's requests/s"))
b = baseline("nginx", "cpu")
figure("http.positions.cpu_us_vs_nginx",
       "GET /api/v1/positions, server CPU/request (vs nginx)", "µs/request",
       "lower", side("irra", "cpu"), b,
       ratio_target(b, "<=", 1.0, "no more CPU per request than nginx"))
figure("http.positions.p99_ms", "GET /api/v1/positions, p99 at saturation (wrk)", "ms",
       "lower", side("irra", "p99"), baseline("nginx", "p99"),
       {"op": "<=", "value": 10.0, "text": "p99 under 10 ms"})
figure("http.positions.p50_ms", "GET /api/v1/positions, p50 at saturation (wrk)", "ms",
       "lower", side("irra", "p50"), baseline("nginx", "p50"), None)
b = baseline("express", "rps")
figure("http.positions.rps_vs_express",
       "GET /api/v1/positions, requests/s (vs one Express process)", "req/s", "higher",
       side("irra", "rps"), b, ratio_target(b, ">=", 10.0, "10x one Express process or more"))
b = baseline("express-cluster", "rps")
figure("http.positions.rps_vs_express_cluster",
       f"GET /api/v1/positions, requests/s (vs Express cluster of {workers})", "req/s",
       "higher", side("irra", "rps"), b,
       ratio_target(b, ">=", 10.0, "10x the Express cluster or more"))
figure("http.positions.cpu_us_vs_express",
       "GET /api/v1/positions, server CPU/request (vs Express)", "µs/request",
       "lower", side("irra", "cpu"), baseline("express", "cpu"), None)
# The baseline's own figure (docs/capacity.md quotes it next to the original plan's 5,000).
figure("http.positions.express_rps", "one Express process, GET /api/v1/positions, requests/s",
       "req/s", "higher", side("express", "rps"), None, None)
o = opens.get("irra")
if o and o["p99_us"] is not None:
    n = opens.get("nginx")
    base = None
    if n and n["p99_us"] is not None:
        base = {"label": "nginx static file, same rate", "value": n["p99_us"] / 1000,
                "runs": [n["p99_us"] / 1000]}
    figure("http.positions.open_loop_p99_ms",
           f"GET /api/v1/positions, p99 at {o['offered_rps']:,} req/s (open loop)",
           "ms", "lower", (o["p99_us"] / 1000, [o["p99_us"] / 1000]), base,
           {"op": "<=", "value": 10.0, "text": "p99 under 10 ms"})

names = [n for n in ("irra", "nginx", "express", "express-cluster") if n in cl]
series = {}
for key, title, unit in (("rps_runs", "Requests/s per run", "req/s"),
                         ("cpu_us_per_req_runs", "Server CPU per request, per run",
                          "µs/request")):
    rows = [[i + 1] + [cl[n][key][i] if i < len(cl[n][key]) else None for n in names]
            for i in range(st["runs"])]
    series[key.replace("_runs", "")] = {"title": title, "x": "run", "y": unit,
                                        "columns": ["run"] + names, "rows": rows}

keep = ("rps_median", "p50_ms_median", "p99_ms_median", "cpu_us_per_req_median",
        "bytes_per_response", "server_cpu_cores_median", "irq_cpu_cores_median",
        "other_cpu_cores_median", "errors")
info = {
    "mode": mode,
    "settings": {k: st[k] for k in ("duration_s", "runs", "connections", "wrk_threads",
                                    "warmup_s", "open_loop_rate", "dump_clients", "servers")},
    "irra_build": st["irra_build"], "nginx": st["nginx"], "node": st.get("node"),
    "express": st.get("express"), "express_cluster_workers": workers,
    "static_file_bytes": st["static_file_bytes"],
    "positions_body_bytes": st["positions_body_bytes"],
    "closed_loop": {n: {k: cl[n][k] for k in keep} for n in names},
    "open_loop": r["open_loop"],
    "machine": r["machine"],
}

notes = [
    f"{'; '.join(labels[n] for n in names)}: in turn, {st['runs']} x {st['duration_s']} s each, "
    f"wrk -t{st['wrk_threads']} -c{st['connections']} on the same machine, one logged-in "
    "session per connection (the same cookies for every server).",
    "Server CPU is utime+stime from /proc over each run (nginx's and the Express cluster's "
    "master and workers included) divided by the requests wrk completed.",
]
if r["open_loop"]:
    notes.append(f"Open loop: h2load --h1 at {st['open_loop_rate']} req/s offered over "
                 f"{st['connections']} connections, one session cookie on all of them.")
for n in names:
    if cl[n]["errors"]:
        notes.append(f"{labels[n]}: {cl[n]['errors']} wrk errors (see info.closed_loop).")
busy = max(cl[n]["other_cpu_cores_median"] for n in names)
if busy > 0.2:
    notes.append(f"Other processes used up to {busy:.2f} cores during the runs: requests/s "
                 "are less reliable than CPU per request.")
if mode == "smoke":
    notes.append("Smoke mode: 4 connections, 1 s runs; checks the harness, not the targets.")

json.dump({"section": "http", "title": "Positions over HTTPS", "figures": figures,
           "series": series, "info": info, "notes": notes},
          open(out, "w"), indent=2, ensure_ascii=False)
PY
bench_say "http: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["figures"]))' \
  "$IRRA_BENCH_OUT") figures in $IRRA_BENCH_OUT"
