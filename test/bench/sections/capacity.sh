#!/usr/bin/env bash
# Benchmark section "Capacity at 10 requests/user/minute": the original plan's user model,
# measured with irra-capacity (test/bench/capacity/; docs/benchmarks.md, "Capacity").
# Run by scripts/bench (the IRRA_BENCH_* variables: see lib.sh).
#
# A dump, irra sod-import into SQLite, irra-exchange-sim (prices walking, a main-site flow so
# streams carry updates) and irra serve --active with http.max_connections raised. Then:
#   1. the memory probe: N idle keep-alive TLS connections, then N idle streams (server RSS
#      delta per connection);
#   2. the ramp, browser model: every user logs in, holds its own keep-alive connection and
#      its stream, and makes 10 requests a minute; users rise step by step until p99 passes
#      100 ms or errors appear, or until the next step needs more descriptors than
#      `ulimit -n` allows (two per user on each side);
#   3. the request load alone, pooled: more users, each logged in and making the same
#      requests, but sharing one connection per source address and holding no stream, to see
#      whether the server's CPU would carry the requests of the target number of users when
#      descriptors do not run out first.
set -euo pipefail
IRRA_BENCH_SECTION=capacity
# shellcheck source=../lib.sh
source "$IRRA_BENCH_ROOT/test/bench/lib.sh"

build=$IRRA_BENCH_BUILD work=$IRRA_BENCH_WORK mode=${IRRA_BENCH_MODE:-full}
irra=$build/src/app/irra gen=$build/src/tools/irra-gen-dump
sim=$build/src/sim/irra-exchange-sim tool=$build/test/bench/irra-capacity
for b in "$irra" "$gen" "$sim" "$tool"; do [[ -x "$b" ]] || bench_die "missing $b"; done

P99_LIMIT_MS=100
case "$mode" in
  full)
    browser=(2500 5000 10000 25000 50000 100000 150000 200000)
    pooled=(25000 50000 100000 150000 200000) hold=60 warmup=3 probe=5000 login_rate=3000 ;;
  quick)
    browser=(2000 5000 20000) pooled=(20000) hold=10 warmup=2 probe=2000 login_rate=3000 ;;
  smoke)
    browser=(50) pooled=() hold=3 warmup=1 probe=100 login_rate=200 ;;
  *) bench_die "IRRA_BENCH_MODE must be full, quick or smoke, not '$mode'" ;;
esac
trap bench_stop_all EXIT

# Descriptors: as many as the system allows (irra and irra-capacity inherit the limit).
nr_open=$(cat /proc/sys/fs/nr_open 2> /dev/null || echo 1048576)
ulimit -n "$nr_open" 2> /dev/null || ulimit -n "$(ulimit -Hn)" || true
fd_limit=$(ulimit -n)
# The browser model needs two descriptors per user on each side (connection and stream):
# the ramp's last step is the largest that fits; the steps above it are not run.
fd_users=$(((fd_limit - 400) / 2 / 100 * 100))
# Memory too: about 80 kB per connection or stream on each side (TLS record and BIO buffers),
# four per user in all; at most 80% of what the machine has free, so that a machine with a
# high descriptor limit stops the ramp before the kernel's OOM killer does.
mem_users=$(awk '/^MemAvailable:/ { printf "%d", $2 * 0.8 / (4 * 80) / 100 * 100 }' /proc/meminfo)
if ((mem_users < fd_users)); then fd_users=$mem_users; fi
steps=()
for s in "${browser[@]}"; do
  if ((s <= fd_users)); then steps+=("$s"); else steps+=("$fd_users"); break; fi
done
browser_steps=$(IFS=,; echo "${steps[*]}")
pooled_steps=$(IFS=,; echo "${pooled[*]}")
browser_max=${steps[-1]}
pooled_max=0
((${#pooled[@]} == 0)) || pooled_max=${pooled[-1]}
probe_users=$(((probe + 199) / 200))
# 10% of the generated clients are ineligible: room for every user, the probe's and a margin.
clients=$(((browser_max + pooled_max + probe_users) * 115 / 100 + 100))

d=$work/irra
mkdir -p "$d"
port=$(bench_ports 4)
http=$port metrics=$((port + 1)) fix=$((port + 2)) health=$((port + 3))
bench_irra_config "$d/irra.json" "$d" "sqlite3://$d/irra.db" "$http" "$metrics" "$fix"
# The cap on connections is not what is measured; a user's request every ~6 s keeps its
# connection within the idle timeout; many users' square-offs must not queue.
bench_config_set "$d/irra.json" http.max_connections=1000000 http.idle_timeout_s=30 \
  exchange.order_rate_limit=5000

bench_say "capacity: dump of $clients clients, sod-import, simulator, irra (open files: $fd_limit)"
"$gen" --out "$d/dump" --clients "$clients" --positions-per-client 2 --holdings-per-client 2 \
  --seed 7 > "$d/gen.log" 2>&1 || { tail -n 5 "$d/gen.log" >&2; bench_die "irra-gen-dump failed"; }
bench_sod_import "$d/irra.json" "$d/dump"
(cd "$d" && exec "$sim" --listen "127.0.0.1:$fix" --dump dump --health-listen "127.0.0.1:$health" \
  --flow-rate 200 --walk-ms 200 --seed 7 > sim.log 2>&1) &
bench_pids+=($!)
(cd "$d" && exec "$irra" serve --config irra.json --active > irra.log 2>&1) &
irra_pid=$!
bench_pids+=("$irra_pid")
bench_wait_200 "https://127.0.0.1:$http/readyz" 60 "$irra_pid" ||
  { tail -n 20 "$d/irra.log" >&2; bench_die "irra did not become ready"; }
server_fds=$(awk '/^Max open files/ { print $4 }' "/proc/$irra_pid/limits")

run_tool() { # NAME ARGS...
  local name=$1
  shift
  "$tool" --url "https://127.0.0.1:$http" --dump "$d/dump" --notify "$d/notifications.jsonl" \
    --server-pid "$irra_pid" --p99-limit-ms "$P99_LIMIT_MS" --hold "$hold" --warmup "$warmup" \
    --login-rate "$login_rate" --login-concurrency 512 --threads 2 --out "$work/$name.json" "$@" > /dev/null \
    2> >(sed 's/^/   /' >&2) || bench_die "irra-capacity ($name) failed"
  kill -0 "$irra_pid" 2> /dev/null || { tail -n 20 "$d/irra.log" >&2; bench_die "irra exited"; }
}

bench_say "capacity: browser model, steps $browser_steps users, ${hold} s each"
run_tool browser --model browser --streams 1 --steps "$browser_steps" --probe "$probe" \
  --source-base 127.1.0.0
if [[ -n "$pooled_steps" ]]; then
  bench_say "capacity: request load, pooled connections, no streams, steps $pooled_steps users"
  run_tool pooled --model pooled --streams 0 --steps "$pooled_steps" --source-base 127.3.0.0 \
    --first-user "$browser_max"
fi
server_hwm_kb=$(bench_hwm_kb "$irra_pid")
bench_stop_all

CAPACITY_MEM_USERS=$mem_users python3 - "$work" "$IRRA_BENCH_OUT" "$mode" "$fd_limit" \
  "$server_fds" "$clients" "$hold" "$server_hwm_kb" << 'PY'
import json, os, sys
work, out, mode, fd_limit, server_fds, clients, hold, hwm = sys.argv[1:]
hold = float(hold)
b = json.load(open(f"{work}/browser.json"))
p = json.load(open(f"{work}/pooled.json")) if os.path.exists(f"{work}/pooled.json") else None
TARGET = 150000
target = {"op": ">=", "value": TARGET,
          "text": "150,000 concurrent users (the plan: 3,593 on a dozen VMs)"}

def fig(id, label, unit, better, value, target=None):
    return {"id": id, "label": label, "unit": unit, "better": better, "value": value,
            "runs": [value] if value is not None else [], "baseline": None, "target": target}

def last_held(r):
    rows = [s for s in r["steps"] if s["held"]]
    return rows[-1] if rows else None

cols = ["users", "offered_rps", "achieved_rps", "p50_ms", "p99_ms", "p999_ms", "errors",
        "rss_mb", "server_cpu_cores"]
secs = f"{hold:g} s"
figures = [fig("capacity.users_held",
               f"users held for {secs} (p99 < 100 ms, no errors; a connection and a stream each)",
               "users", "higher", b["users_held"], target)]
probe = b.get("memory_probe", {})
if "server_kb_per_idle_tls" in probe:
    figures.append(fig("capacity.kb_per_idle_tls", "server memory per idle keep-alive TLS connection",
                       "kB", "lower", probe["server_kb_per_idle_tls"]))
    figures.append(fig("capacity.kb_per_idle_sse", "server memory per idle live-update stream",
                       "kB", "lower", probe["server_kb_per_sse"]))
top = last_held(b)
if top:
    figures.append(fig("capacity.rss_mb_at_largest", f"server RSS at {top['users']:,} users",
                       "MB", "lower", top["rss_mb"]))
    figures.append(fig("capacity.p99_ms_at_largest", f"p99 at {top['users']:,} users",
                       "ms", "lower", top["p99_ms"], {"op": "<", "value": 100, "text": "under 100 ms"}))
logins = b["logins"]
if p:
    figures.append(fig("capacity.request_load_users_held",
                       f"users' request load held for {secs} (pooled connections, no streams)",
                       "users", "higher", p["users_held"], target))
    ptop = last_held(p)
    if ptop:
        figures.append(fig("capacity.request_load_cpu_cores",
                           f"server CPU at {ptop['users']:,} users' requests ({ptop['achieved_rps']:,.0f} req/s)",
                           "cores", "lower", ptop["server_cpu_cores"]))
    logins = {"users": b["logins"]["users"] + p["logins"]["users"],
              "seconds": b["logins"]["seconds"] + p["logins"]["seconds"]}
    logins["per_s"] = round(logins["users"] / logins["seconds"], 1) if logins["seconds"] else 0
figures.append(fig("capacity.login_rate", "logins per second (code request, code from the file, login)",
                   "logins/s", "higher", logins["per_s"]))

series = {"capacity": {"title": "Capacity ramp (a connection and a stream per user)",
                       "x": "users", "y": "latency ms", "columns": cols,
                       "rows": [[s[c] for c in cols] for s in b["steps"]]}}
if p:
    series["capacity_pooled"] = {"title": "Request load of N users (pooled connections, no streams)",
                                 "x": "users", "y": "latency ms", "columns": cols,
                                 "rows": [[s[c] for c in cols] for s in p["steps"]]}
notes = [f"browser model: {b['stop_reason']}"]
if p:
    notes.append(f"request load (pooled): {p['stop_reason']}")
if int(fd_limit) < 2 * TARGET + 1000:
    notes.append(f"open files are limited to {fd_limit} per process here (ulimit -n; raising it "
                 "needs CAP_SYS_RESOURCE), so the server holds at most about "
                 f"{(int(fd_limit) - 400) // 2:,} users with a connection and a stream each")
mem_users = int(os.environ.get("CAPACITY_MEM_USERS", "0"))
if mem_users < TARGET:
    notes.append(f"memory: the browser ramp stops at {mem_users:,} users at most, where the "
                 "server's and the load generator's connections and streams (about 80 kB each, "
                 "four per user) would fill 80% of the memory available")
if "server_kb_per_idle_tls" in probe and top:
    per_user = probe["server_kb_per_idle_tls"] + probe["server_kb_per_sse"]
    proj = (top["rss_mb"] * 1024 + (TARGET - top["users"]) * per_user) / 1024
    notes.append(f"memory: {per_user:.1f} kB per user's two idle connections on the server; "
                 f"{TARGET:,} users would need about {proj:,.0f} MB resident")
for r in [b] + ([p] if p else []):
    for s in r["steps"]:
        if s["errors"]:
            notes.append(f"{r['model']} {s['users']:,} users: errors {json.dumps(s['errors_by_kind'])}")
doc = {"section": "capacity", "title": "Capacity at 10 requests/user/minute",
       "figures": figures, "series": series,
       "info": {"mode": mode, "hold_s": hold, "warmup_s": b["warmup_s"],
                "requests_per_user_per_minute": b["requests_per_user_per_minute"],
                "mix_percent": b["mix"], "users_per_source_address": b["users_per_source"],
                "open_files_limit": int(fd_limit), "server_open_files_limit": int(server_fds or 0),
                "dump_clients": int(clients), "server_peak_rss_mb": round(int(hwm) / 1024, 1),
                "memory_probe": probe, "browser": b, "pooled": p,
                "server": "irra serve --active, SQLite, http.max_connections 1000000, "
                          "http.idle_timeout_s 30, exchange.order_rate_limit 5000; "
                          "irra-exchange-sim --flow-rate 200 --walk-ms 200"},
       "notes": notes}
json.dump(doc, open(out, "w"), indent=1)
PY
