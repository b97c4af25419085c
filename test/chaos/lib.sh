# shellcheck shell=bash
# The chaos harness's common part, sourced by every scenario script in test/chaos/
# (scripts/chaos runs each test/chaos/*.sh but this one). A scenario starts IRRA against
# irra-exchange-sim on 127.0.0.1, puts it under load, injects its faults and then checks
# the invariants with chaos_check against the simulator's own record (its /control/state
# and its --journal), not against IRRA's opinion of itself.
#
# Environment (all optional):
#   IRRA_BUILD_DIR   where src/app/irra, src/sim/irra-exchange-sim and
#                    src/tools/irra-gen-dump are (default: ./build of the repository)
#   CHAOS_OUT        results folder (default var/chaos); each scenario works in
#                    $CHAOS_OUT/<scenario>/ (logs, configs, journal, load output), and
#                    chaos_result appends to $CHAOS_OUT/results.jsonl
#   CHAOS_QUICK=1    the short version of the scenario (CTest and scripts/test)
#   CHAOS_PORT_LO, CHAOS_PORT_HI   port range (default 26000-29999, below the ephemeral
#                    ports); 12 consecutive free
#                    ports are taken for a scenario
#   CHAOS_KEEP=1     keep the work folder also when the scenario passed
#   CHAOS_DB_URL     IRRA's database URL instead of the SQLite file in the work folder or the
#                    private MariaDB (disk_full.sh puts it on a filesystem of its own)
# A scenario may define _chaos_cleanup_extra: the cleanup calls it last, once its processes
# and servers are gone.
#
# Functions (each fails the scenario with a clear message when something does not work):
#   chaos_init NAME            first call: work folder, ports, cleanup trap; sets CHAOS_NAME,
#                              CHAOS_WORK, IRRA_BIN, SIM_BIN, GEN_BIN and the ports
#                              CHAOS_FIX_PORT, CHAOS_HEALTH_PORT, CHAOS_HTTP_PORT,
#                              CHAOS_METRICS_PORT, CHAOS_MYSQL_PORT, CHAOS_AMQP_PORT (3 ports),
#                              CHAOS_SPARE_PORT (4 ports free for the scenario's own helpers);
#                              CHAOS_URL (IRRA's https://) and CHAOS_SIM_URL (control http://)
#   chaos_use_mysql            use a private MariaDB (scripts/lib/mariadb.sh) instead of SQLite
#   chaos_use_amqp             use a private RabbitMQ (scripts/lib/rabbitmq.sh) as the
#                              notification sink instead of the file (note: the load generator
#                              reads OTPs from the file sink, so with AMQP it cannot log in;
#                              set CHAOS_LOAD_INVESTORS=0 or read OTPs another way)
#   chaos_setup [CLIENTS]      starts the servers asked for, generates the dump (CLIENTS,
#                              default 300, 4 positions each), writes $CHAOS_WORK/irra.json
#                              (chaos_write_config) and runs `irra sod-import`
#   chaos_write_config         (re)writes irra.json; reads CHAOS_HEARTBEAT_S (default 5),
#                              CHAOS_ORDER_RATE (default 200) and CHAOS_CONFIG_EXTRA (JSON
#                              members appended to the top-level object, e.g.
#                              '"risk": {"otp_ttl_s": 60}') and CHAOS_EXCHANGE_EXTRA (members
#                              appended to "exchange", e.g. '"sessions": {...}')
#   chaos_sim_start RATE       irra-exchange-sim with --journal $CHAOS_WORK/journal.jsonl and
#                              --flow-rate RATE (main-site drop-copy reports per second);
#                              --walk-ms CHAOS_WALK_MS (default 0: prices stay put, so once the
#                              flow and the load stop nothing trades and the books can be
#                              compared; a walking price fills resting orders at any moment)
#   chaos_sim METHOD PATH      an HTTP call to the simulator's control port; prints the body;
#                              fails unless 2xx (chaos_sim_try: returns the status instead)
#   chaos_sim_state            GET /control/state?positions=0 (JSON)
#   chaos_sim_field JSON PATH  a field of a JSON text, PATH like sessions.dc.next_out_seq
#   chaos_flow RATE            POST /control/flow?rate=RATE (0 stops the main-site flow)
#   chaos_irra_start [ARGS]    irra serve (default ARGS: --active) in the background; sets
#                              CHAOS_IRRA_PID; appends to $CHAOS_WORK/irra.log
#   chaos_irra_wait_ready [S]  waits (default 60 s) for /readyz 200; prints and sets
#                              CHAOS_READY_S, the seconds since chaos_irra_start. Better called
#                              directly (> /dev/null) than in $(...): a failure inside $(...)
#                              does not end the scenario, and the variables set there are lost
#   chaos_irra_kill9           kill -9 of irra, waited for
#   chaos_irra_stop            SIGTERM; irra must exit 0 within 30 s
#   chaos_irra_alive           status 0 while irra runs
#   chaos_metric NAME, chaos_readyz_code, chaos_probe login|square-off,
#   chaos_wait_not_ready T0 LIMIT, chaos_wait_drained T0 LIMIT   see their comments
#   chaos_ctl ARGS...          irra ctl ARGS --config irra.json
#   chaos_session_caught_up S  status 0 when session S (dc or oe) is logged on at both ends
#                              and caught up: IRRA's next_in_seq has reached the exchange's
#                              next_out_seq (sampled before) and the exchange has read all
#                              IRRA sent (sampled after); valid while the flow runs
#   chaos_dc_caught_up         chaos_session_caught_up dc
#   chaos_wait_caught_up [LIMIT]  waits (default 120 s) until dc and oe are caught up; prints
#                              the seconds taken; fails the scenario after LIMIT
#   chaos_load_start [N]       test/chaos/load.mjs with N investors (default
#                              CHAOS_LOAD_INVESTORS or 12); writes load.log, accepted.jsonl
#   chaos_load_stop            SIGTERM to the load generator; logs its counts line and sets
#                              CHAOS_LOAD_COUNTS (the JSON of counts); call it directly
#   chaos_load_pause / chaos_load_resume   SIGSTOP / SIGCONT of the load generator (its
#                              sessions stay logged in), e.g. around a chaos_check mid-scenario
#   chaos_settle               stops the main-site flow (stop or pause the load first), waits
#                              until both sessions are caught up, a second, and again
#   chaos_check                test/chaos/check.mjs: the invariants (see that file); retried
#                              for a few seconds (market data and fills arrive late); output
#                              in check.out; status 1 with the reasons on failure
#   chaos_result NAME STATUS DETAIL RECOVER_S [INJECTED] [CHECKED]
#                              appends one JSON line to $CHAOS_OUT/results.jsonl: scenario,
#                              fault NAME, STATUS pass|fail|skip, DETAIL, recover_s, how the
#                              fault is injected and what is checked (for docs/reliability.md)
#   chaos_track_pid PID        a helper process of the scenario's own, ended (SIGTERM) at exit
#   chaos_log MESSAGE          "== [scenario] MESSAGE" with the elapsed seconds
#   chaos_fail MESSAGE         logs tails of the logs, records nothing, exits 1
#   chaos_now                  seconds since the epoch with milliseconds
#   chaos_elapsed T0           seconds since T0 (from chaos_now), 2 decimals

_chaos_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHAOS_ROOT=$(cd "$_chaos_here/../.." && pwd)
# shellcheck source=../../scripts/lib/ports.sh
source "$CHAOS_ROOT/scripts/lib/ports.sh"
CHAOS_OUT=${CHAOS_OUT:-$CHAOS_ROOT/var/chaos}
IRRA_BUILD_DIR=${IRRA_BUILD_DIR:-$CHAOS_ROOT/build}
CHAOS_QUICK=${CHAOS_QUICK:-0}
CHAOS_USE_MYSQL=0
CHAOS_USE_AMQP=0
CHAOS_IRRA_PID=
CHAOS_SIM_PID=
CHAOS_LOAD_PID=
CHAOS_EXTRA_PIDS=()
CHAOS_T0=

chaos_now() { date +%s.%N | cut -c1-14; }
chaos_elapsed() { awk -v a="$1" -v b="$(chaos_now)" 'BEGIN { printf "%.2f", b - a }'; }
chaos_log() { printf '== [%s %5ss] %s\n' "${CHAOS_NAME:-chaos}" "$(chaos_elapsed "$CHAOS_T0")" "$*"; }

chaos_fail() {
  echo "FAIL [${CHAOS_NAME:-chaos}]: $*" >&2
  local f
  for f in "$CHAOS_WORK/irra.log" "$CHAOS_WORK/sim.log" "$CHAOS_WORK/load.log"; do
    [[ -f $f ]] && { echo "--- last lines of $f" >&2; tail -n 15 "$f" >&2; }
  done
  CHAOS_FAILED=1
  exit 1
}

chaos_init() {
  CHAOS_NAME=$1
  CHAOS_T0=$(chaos_now)
  CHAOS_FAILED=0
  IRRA_BIN=$IRRA_BUILD_DIR/src/app/irra
  SIM_BIN=$IRRA_BUILD_DIR/src/sim/irra-exchange-sim
  GEN_BIN=$IRRA_BUILD_DIR/src/tools/irra-gen-dump
  local b
  for b in "$IRRA_BIN" "$SIM_BIN" "$GEN_BIN"; do
    [[ -x $b ]] || { echo "chaos: not built: $b (set IRRA_BUILD_DIR)" >&2; exit 2; }
  done
  command -v node > /dev/null || { echo "chaos: node is needed" >&2; exit 2; }
  command -v curl > /dev/null || { echo "chaos: curl is needed" >&2; exit 2; }
  mkdir -p "$CHAOS_OUT"
  CHAOS_OUT=$(cd "$CHAOS_OUT" && pwd)
  CHAOS_WORK=$CHAOS_OUT/$CHAOS_NAME
  rm -rf "$CHAOS_WORK"
  mkdir -p "$CHAOS_WORK"
  # 12 consecutive free ports in the range (scripts/lib/ports.sh).
  local lo=${CHAOS_PORT_LO:-26000} hi=${CHAOS_PORT_HI:-29999} base
  base=$(free_port_block 12 "$lo" "$hi") || { echo "chaos: no 12 free ports in $lo-$hi" >&2; exit 2; }
  CHAOS_FIX_PORT=$base CHAOS_HEALTH_PORT=$((base + 1)) CHAOS_HTTP_PORT=$((base + 2))
  CHAOS_METRICS_PORT=$((base + 3)) CHAOS_MYSQL_PORT=$((base + 4)) CHAOS_AMQP_PORT=$((base + 5))
  CHAOS_SPARE_PORT=$((base + 8))
  CHAOS_URL=https://127.0.0.1:$CHAOS_HTTP_PORT
  CHAOS_SIM_URL=http://127.0.0.1:$CHAOS_HEALTH_PORT
  trap _chaos_cleanup EXIT
  trap 'exit 130' INT TERM
  chaos_log "work folder $CHAOS_WORK, ports $base-$((base + 11))"
}

# The EXIT trap: _chaos_cleanup [RC] (RC defaults to the status the script is exiting with).
# A scenario's own trap must pass the status as RC: under set -e, a `(exit $rc)` before the
# call would end the trap there, and the servers would be left running.
_chaos_cleanup() {
  local rc=${1:-$?}
  trap - EXIT
  set +e
  if [[ -n $CHAOS_LOAD_PID ]]; then
    kill -CONT "$CHAOS_LOAD_PID" 2>/dev/null; kill -TERM "$CHAOS_LOAD_PID" 2>/dev/null
    sleep 0.5; kill -9 "$CHAOS_LOAD_PID" 2>/dev/null
  fi
  [[ -z $CHAOS_IRRA_PID ]] || kill -9 "$CHAOS_IRRA_PID" 2>/dev/null
  local p
  for p in "${CHAOS_EXTRA_PIDS[@]+"${CHAOS_EXTRA_PIDS[@]}"}"; do kill -TERM "$p" 2>/dev/null; done
  [[ -z $CHAOS_SIM_PID ]] || kill -TERM "$CHAOS_SIM_PID" 2>/dev/null
  # Only these: a bare `wait` would also wait for the MariaDB and RabbitMQ servers this shell
  # started (they are its children too) and hang until the stops below, which never come.
  for p in $CHAOS_LOAD_PID $CHAOS_IRRA_PID $CHAOS_SIM_PID "${CHAOS_EXTRA_PIDS[@]+"${CHAOS_EXTRA_PIDS[@]}"}"; do
    wait "$p" 2>/dev/null
  done
  if [[ $CHAOS_USE_AMQP == 1 ]]; then rabbitmq_stop "$CHAOS_WORK/rabbitmq" > /dev/null 2>&1 || true; fi
  if [[ $CHAOS_USE_MYSQL == 1 ]]; then mariadb_stop "$CHAOS_WORK/mariadb" > /dev/null 2>&1 || true; fi
  # A scenario's own last step (e.g. unmounting its filesystem), once its processes are gone.
  if declare -F _chaos_cleanup_extra > /dev/null; then _chaos_cleanup_extra; fi
  # The big files go when the scenario passed (the journal can be hundreds of MB).
  if [[ $rc -eq 0 && ${CHAOS_KEEP:-0} != 1 && -n ${CHAOS_WORK:-} ]]; then
    rm -rf "$CHAOS_WORK/dump" "$CHAOS_WORK/mariadb" "$CHAOS_WORK/rabbitmq" "$CHAOS_WORK"/irra.db* \
      "$CHAOS_WORK/journal.jsonl" "$CHAOS_WORK/var"
  fi
  exit "$rc"
}

chaos_track_pid() { CHAOS_EXTRA_PIDS+=("$1"); }

chaos_use_mysql() {
  # shellcheck source=../../scripts/lib/mariadb.sh
  source "$CHAOS_ROOT/scripts/lib/mariadb.sh"
  CHAOS_USE_MYSQL=1
}
chaos_use_amqp() {
  # shellcheck source=../../scripts/lib/rabbitmq.sh
  source "$CHAOS_ROOT/scripts/lib/rabbitmq.sh"
  CHAOS_USE_AMQP=1
}

chaos_db_url() {
  if [[ -n ${CHAOS_DB_URL:-} ]]; then
    echo "$CHAOS_DB_URL"
  elif [[ $CHAOS_USE_MYSQL == 1 ]]; then
    echo "mysql://irra:irra@127.0.0.1:$CHAOS_MYSQL_PORT/irra_test"
  else
    echo "sqlite3://$CHAOS_WORK/irra.db"
  fi
}

chaos_write_config() {
  local notify
  if [[ $CHAOS_USE_AMQP == 1 ]]; then
    notify="\"sink\": \"amqp\", \"amqp_url\": \"amqp://guest:guest@127.0.0.1:$CHAOS_AMQP_PORT/\", \"file\": \"$CHAOS_WORK/notifications.jsonl\""
  else
    notify="\"sink\": \"file\", \"file\": \"$CHAOS_WORK/notifications.jsonl\""
  fi
  cat > "$CHAOS_WORK/irra.json" <<JSON
{ "log": { "level": "info" },
  "database": { "url": "$(chaos_db_url)" },
  "admin": { "socket": "$CHAOS_WORK/irra.sock" },
  "exchange": { "host": "127.0.0.1", "port": $CHAOS_FIX_PORT, "heartbeat_s": ${CHAOS_HEARTBEAT_S:-5},
                "order_rate_limit": ${CHAOS_ORDER_RATE:-200},
                "reconnect_min_ms": 100, "reconnect_max_ms": 500${CHAOS_EXCHANGE_EXTRA:+,
                $CHAOS_EXCHANGE_EXTRA} },
  "http": { "listen": "127.0.0.1:$CHAOS_HTTP_PORT", "static_dir": "$CHAOS_ROOT/static" },
  "metrics": { "listen": "127.0.0.1:$CHAOS_METRICS_PORT" },
  "notify": { $notify }${CHAOS_CONFIG_EXTRA:+,
  $CHAOS_CONFIG_EXTRA} }
JSON
}

chaos_setup() {
  local clients=${1:-300}
  if [[ $CHAOS_USE_MYSQL == 1 ]]; then
    chaos_log "starting MariaDB on 127.0.0.1:$CHAOS_MYSQL_PORT"
    mariadb_start "$CHAOS_WORK/mariadb" "$CHAOS_MYSQL_PORT" || chaos_fail "MariaDB did not start"
  fi
  if [[ $CHAOS_USE_AMQP == 1 ]]; then
    chaos_log "starting RabbitMQ on 127.0.0.1:$CHAOS_AMQP_PORT"
    rabbitmq_start "$CHAOS_WORK/rabbitmq" "$CHAOS_AMQP_PORT" || chaos_fail "RabbitMQ did not start"
  fi
  "$GEN_BIN" --out "$CHAOS_WORK/dump" --clients "$clients" --positions-per-client 4 \
    --seed "${CHAOS_SEED:-31}" > "$CHAOS_WORK/gen.log" 2>&1 || chaos_fail "irra-gen-dump: $(tail -n 3 "$CHAOS_WORK/gen.log")"
  chaos_write_config
  "$IRRA_BIN" sod-import --config "$CHAOS_WORK/irra.json" --dump "$CHAOS_WORK/dump" \
    > "$CHAOS_WORK/import.log" 2>&1 || chaos_fail "sod-import: $(tail -n 5 "$CHAOS_WORK/import.log")"
}

chaos_sim_try() { # METHOD PATH -> prints the body to stdout; returns 0 on 2xx
  local code
  code=$(curl -s -o "$CHAOS_WORK/.sim-answer" -w '%{http_code}' --max-time 10 -X "$1" "$CHAOS_SIM_URL$2" || true)
  cat "$CHAOS_WORK/.sim-answer" 2>/dev/null
  [[ $code == 2* ]]
}
chaos_sim() {
  chaos_sim_try "$@" || chaos_fail "simulator $1 $2 failed: $(cat "$CHAOS_WORK/.sim-answer" 2>/dev/null)"
}
chaos_sim_state() { chaos_sim GET '/control/state?positions=0'; }
chaos_sim_field() { # JSON PATH
  node -e 'const v=process.argv[2].split(".").reduce((o,k)=>o==null?o:o[k],JSON.parse(process.argv[1]));console.log(v===undefined||v===null?"":v)' "$1" "$2"
}
chaos_flow() { chaos_sim POST "/control/flow?rate=$1" > /dev/null; }

chaos_sim_start() {
  local rate=${1:-0}
  "$SIM_BIN" --listen "127.0.0.1:$CHAOS_FIX_PORT" --dump "$CHAOS_WORK/dump" \
    --health-listen "127.0.0.1:$CHAOS_HEALTH_PORT" --flow-rate "$rate" --seed "${CHAOS_SEED:-31}" \
    --walk-ms "${CHAOS_WALK_MS:-0}" \
    --journal "$CHAOS_WORK/journal.jsonl" > "$CHAOS_WORK/sim.log" 2>&1 &
  CHAOS_SIM_PID=$!
  local _
  for _ in $(seq 100); do
    curl -sf --max-time 2 "$CHAOS_SIM_URL/health" > /dev/null 2>&1 && return 0
    kill -0 "$CHAOS_SIM_PID" 2>/dev/null || chaos_fail "the simulator exited"
    sleep 0.1
  done
  chaos_fail "the simulator does not answer /health"
}

chaos_irra_start() {
  [[ $# -gt 0 ]] || set -- --active
  mkdir -p "$CHAOS_WORK/var"
  # Its own working directory: the self-signed certificate it makes (var/tls) stays there.
  (cd "$CHAOS_WORK" && exec "$IRRA_BIN" serve --config "$CHAOS_WORK/irra.json" "$@" >> "$CHAOS_WORK/irra.log" 2>&1) &
  CHAOS_IRRA_PID=$!
  CHAOS_IRRA_STARTED=$(chaos_now)
}
chaos_irra_alive() { [[ -n $CHAOS_IRRA_PID ]] && kill -0 "$CHAOS_IRRA_PID" 2>/dev/null; }

chaos_irra_wait_ready() {
  local limit=${1:-60} deadline code
  deadline=$((SECONDS + limit))
  while [[ $SECONDS -lt $deadline ]]; do
    chaos_irra_alive || chaos_fail "irra exited during start-up"
    code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$CHAOS_URL/readyz" || true)
    if [[ $code == 200 ]]; then
      CHAOS_READY_S=$(chaos_elapsed "$CHAOS_IRRA_STARTED")
      echo "$CHAOS_READY_S"
      return 0
    fi
    sleep 0.05
  done
  chaos_fail "irra not ready $limit s after its start: $(curl -sk --max-time 2 "$CHAOS_URL/readyz")"
}

chaos_irra_kill9() {
  chaos_irra_alive || chaos_fail "irra ended on its own before its kill -9"
  kill -9 "$CHAOS_IRRA_PID"
  wait "$CHAOS_IRRA_PID" 2>/dev/null || true
  CHAOS_IRRA_PID=
}

chaos_irra_stop() {
  chaos_irra_alive || chaos_fail "irra is not running (stop)"
  kill -TERM "$CHAOS_IRRA_PID"
  local pid=$CHAOS_IRRA_PID rc _
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
    CHAOS_IRRA_PID=
    chaos_fail "irra did not stop within 30 s of SIGTERM"
  fi
  rc=0
  wait "$pid" || rc=$?
  CHAOS_IRRA_PID=
  [[ $rc -eq 0 ]] || chaos_fail "irra exited $rc after SIGTERM (0 expected)"
}

chaos_ctl() { "$IRRA_BIN" ctl "$@" --config "$CHAOS_WORK/irra.json"; }

# NAME -> its value on IRRA's /metrics (the last line of that name); empty when /metrics does
# not answer.
chaos_metric() {
  curl -s --max-time 2 "http://127.0.0.1:$CHAOS_METRICS_PORT/metrics" 2>/dev/null |
    awk -v n="$1" '$1 == n { v = $2 } END { print v }' || true
}
# IRRA's /readyz status code (000 when it does not answer within 2 s).
chaos_readyz_code() { curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$CHAOS_URL/readyz" || true; }
# Waits up to LIMIT s for /readyz 503 and prints the seconds since T0 (from chaos_now);
# status 1 when it did not come.
chaos_wait_not_ready() {
  local t0=$1 deadline=$((SECONDS + $2))
  while [[ $SECONDS -lt $deadline ]]; do
    if [[ $(chaos_readyz_code) == 503 ]]; then chaos_elapsed "$t0"; return 0; fi
    sleep 0.1
  done
  return 1
}
# Waits up to LIMIT s for an empty write backlog with /readyz 200 and prints the seconds since
# T0; status 1 when that did not come.
chaos_wait_drained() {
  local t0=$1 deadline=$((SECONDS + $2))
  while [[ $SECONDS -lt $deadline ]]; do
    if [[ $(chaos_metric irra_db_write_backlog) == 0 && $(chaos_readyz_code) == 200 ]]; then
      chaos_elapsed "$t0"
      return 0
    fi
    sleep 0.1
  done
  return 1
}
# One investor's view (investor_probe.mjs): `chaos_probe login` logs in a client the load
# generator does not use; `chaos_probe square-off` then prints "STATUS MS ERROR" for one lot.
chaos_probe() {
  IRRA_URL=$CHAOS_URL IRRA_NOTIFY_FILE=$CHAOS_WORK/notifications.jsonl CHAOS_DUMP=$CHAOS_WORK/dump \
    node "$_chaos_here/investor_probe.mjs" "$@" "$CHAOS_WORK/probe.json"
}

# IRRA's session names in `irra ctl status`: exchange.DC / OE / MD.
chaos_session_caught_up() { # dc|oe
  # Sampled simulator, IRRA, simulator: IRRA has read everything the exchange had sent before
  # (its next_in_seq >= the first sample's next_out_seq) and the exchange everything IRRA had
  # sent (the second sample's next_in_seq >= IRRA's next_out_seq); so it also holds under flow.
  local s1 s2 st
  s1=$(chaos_sim_try GET '/control/state?positions=0') || return 1
  st=$(timeout 10 "$IRRA_BIN" ctl status --config "$CHAOS_WORK/irra.json" 2>/dev/null) || return 1
  s2=$(chaos_sim_try GET '/control/state?positions=0') || return 1
  node -e '
    const [s1, irra, s2, name] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2].trim().split("\n")[0]), JSON.parse(process.argv[3]), process.argv[4]];
    const a = s1.sessions[name], c = s2.sessions[name], b = (irra.exchange || {})[name.toUpperCase()] || {};
    process.exit(a.logged_on && c.logged_on && b.state === "active" && b.next_in_seq >= a.next_out_seq &&
                 c.next_in_seq >= b.next_out_seq ? 0 : 1);
  ' "$s1" "$st" "$s2" "$1" 2>/dev/null
}
chaos_dc_caught_up() { chaos_session_caught_up dc; }

chaos_wait_caught_up() {
  local limit=${1:-120} t0 deadline
  t0=$(chaos_now)
  deadline=$((SECONDS + limit))
  while [[ $SECONDS -lt $deadline ]]; do
    chaos_session_caught_up dc && chaos_session_caught_up oe && { chaos_elapsed "$t0"; return 0; }
    sleep 0.1
  done
  chaos_fail "sessions not caught up after $limit s: sim $(chaos_sim_try GET '/control/state?positions=0' | head -c 600); irra $(chaos_ctl status 2>&1 | head -c 600)"
}

chaos_load_start() {
  local n=${1:-${CHAOS_LOAD_INVESTORS:-12}}
  [[ $n -gt 0 ]] || return 0
  IRRA_URL=$CHAOS_URL IRRA_NOTIFY_FILE=$CHAOS_WORK/notifications.jsonl \
    CHAOS_DUMP=$CHAOS_WORK/dump CHAOS_ACCEPTED=$CHAOS_WORK/accepted.jsonl \
    CHAOS_INVESTORS=$n CHAOS_SEED=${CHAOS_SEED:-31} \
    node "$_chaos_here/load.mjs" >> "$CHAOS_WORK/load.log" 2>&1 &
  CHAOS_LOAD_PID=$!
}

chaos_load_stop() {
  [[ -n $CHAOS_LOAD_PID ]] || return 0
  kill -CONT "$CHAOS_LOAD_PID" 2>/dev/null || true
  kill -TERM "$CHAOS_LOAD_PID" 2>/dev/null || true
  local _
  for _ in $(seq 200); do kill -0 "$CHAOS_LOAD_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$CHAOS_LOAD_PID" 2>/dev/null || true
  wait "$CHAOS_LOAD_PID" 2>/dev/null || true
  CHAOS_LOAD_PID=
  CHAOS_LOAD_COUNTS=$(grep '^load: {' "$CHAOS_WORK/load.log" | tail -n 1 | cut -c7-)
  chaos_log "load stopped: ${CHAOS_LOAD_COUNTS:-no counts (see load.log)}"
}

chaos_load_pause() { [[ -z $CHAOS_LOAD_PID ]] || kill -STOP "$CHAOS_LOAD_PID" 2>/dev/null || true; }
chaos_load_resume() { [[ -z $CHAOS_LOAD_PID ]] || kill -CONT "$CHAOS_LOAD_PID" 2>/dev/null || true; }

chaos_settle() {
  chaos_flow 0
  chaos_wait_caught_up 180 > /dev/null
  # Resting limit orders of the load may still fill while the price walks; a quiet second
  # with both sides caught up is enough for the books to compare (fills arriving later are
  # compared again by chaos_check's retries).
  sleep 1
  chaos_wait_caught_up 60 > /dev/null
}

chaos_check() {
  local attempt
  local before after
  for attempt in $(seq 8); do
    before=$(chaos_sim_field "$(chaos_sim_state)" exec_ids)
    chaos_ctl positions > "$CHAOS_WORK/irra-positions.jsonl" 2> /dev/null &&
      chaos_ctl orders > "$CHAOS_WORK/irra-orders.jsonl" 2> /dev/null &&
      chaos_ctl trades > "$CHAOS_WORK/irra-trades.jsonl" 2> /dev/null &&
      chaos_sim GET '/control/state?positions=1' > "$CHAOS_WORK/sim-state.json" ||
      chaos_fail "irra ctl or /control/state failed"
    sleep 0.3 # the journal is flushed every 200 ms
    after=$(chaos_sim_field "$(chaos_sim_state)" exec_ids)
    if [[ $before != "$after" ]]; then
      # The exchange reported something while the books were read: not one moment; again.
      sleep 1
      continue
    fi
    if node "$_chaos_here/check.mjs" "$CHAOS_WORK" > "$CHAOS_WORK/check.out" 2>&1; then
      cat "$CHAOS_WORK/check.out"
      return 0
    fi
    sleep 1
    chaos_wait_caught_up 60 > /dev/null
  done
  cat "$CHAOS_WORK/check.out" >&2
  return 1
}

chaos_result() { # NAME STATUS DETAIL RECOVER_S [INJECTED] [CHECKED]
  mkdir -p "$CHAOS_OUT"
  node -e '
    const [scenario, fault, status, detail, rec, injected, checked, quick] = process.argv.slice(1);
    const r = { scenario, fault, status, detail, recover_s: rec === "" ? null : Number(rec),
                injected: injected || "", checked: checked || "", quick: quick === "1",
                at: new Date().toISOString() };
    require("fs").appendFileSync(process.argv[9], JSON.stringify(r) + "\n");
  ' "${CHAOS_NAME:-chaos}" "$1" "$2" "$3" "${4:-}" "${5:-}" "${6:-}" "$CHAOS_QUICK" "$CHAOS_OUT/results.jsonl"
  printf '%-8s %-28s %-5s recover %ss  %s\n' "${CHAOS_NAME:-chaos}" "$1" "$2" "${4:--}" "$3"
}
