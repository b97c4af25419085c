#!/usr/bin/env bash
# By-hand throughput sanity check of the HTTPS server core (not part of ctest):
#   test/http/run_wrk.sh BUILD_DIR [THREADS] [DURATION]
# Starts irra_http_bench_server, runs wrk with 64 keep-alive connections against a ~1 KB
# JSON GET, and prints requests/s next to the server's CPU time per request.
set -euo pipefail
build=${1:?build dir}
threads=${2:-1}
duration=${3:-10s}
port=18443
server=$(find "$build" -name irra_http_bench_server -type f | head -1)
echo "starting $server on port $port with $threads thread(s)"
"$server" "$port" "$threads" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 1
ticks_before=$(awk '{print $14+$15}' /proc/$pid/stat)
out=$(wrk -t2 -c64 -d"$duration" --latency "https://127.0.0.1:$port/api/v1/bench")
ticks_after=$(awk '{print $14+$15}' /proc/$pid/stat)
echo "$out"
requests=$(echo "$out" | awk '/requests in/ {print $1}')
hz=$(getconf CLK_TCK)
echo "server CPU: $(( (ticks_after - ticks_before) * 1000000 / hz / requests )) us per request"
