#!/usr/bin/env bash
# The real irra (notify.sink amqp) against a real RabbitMQ of its own, started and stopped by
# scripts/lib/rabbitmq.sh:
#   a) 100,000 activation notices queued into the outbox (as the mode machine does at
#      activation); the broker is stopped in the middle of their delivery and started
#      again: the outbox grows, then drains by itself;
#   b) the broker stopped, 20,000 more notices queued, irra killed -9 with them in the
#      outbox; broker and irra started again: they are delivered;
# then every message of irra.notifications is consumed: after de-duplication by event_id each
# expected event is there exactly once, none missing, none unexpected.
#   amqp_delivery_test.sh IRRA OUTBOX_FILL AMQP_CONSUME
# Ports: IRRA_E2E_BASE_PORT (6 ports from there) or six free ones in 25000-25999. Exits 77
# (skipped) when rabbitmq-server is not installed. IRRA_E2E_KEEP=1 keeps the work folder.
set -euo pipefail

irra=$1 fill=$2 consume=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/lib/rabbitmq.sh
source "$here/../../scripts/lib/rabbitmq.sh"
# shellcheck source=../../scripts/lib/ports.sh
source "$here/../../scripts/lib/ports.sh"
if [[ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
  echo "rabbitmq-server is not installed: skipped"
  exit 77
fi

work=$(mktemp -d)
chmod 755 "$work"  # the broker (user rabbitmq) keeps its data below
pid=""
cleanup() {
  [[ -z "$pid" ]] || { kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rabbitmq_stop "$work/broker" || true
  if [[ -n "${IRRA_E2E_KEEP:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"
say() { printf '%s [%ds] %s\n' "==" $((SECONDS - started)) "$*"; }
fail() { echo "FAIL: $*" >&2; tail -n 30 irra.log >&2 || true; exit 1; }
started=$SECONDS
base=${IRRA_E2E_BASE_PORT:-$(free_port_block 6 25000 25999)} || fail "no six free ports in 25000-25999"
amqp_port=$base http_port=$((base + 3)) metrics_port=$((base + 4)) fix_port=$((base + 5))
db="$work/irra.db"

cat > config.json <<JSON
{ "database": { "url": "sqlite3://$db" },
  "admin": { "socket": "$work/irra.sock" },
  "exchange": { "host": "127.0.0.1", "port": $fix_port },
  "http": { "listen": "127.0.0.1:$http_port" },
  "metrics": { "listen": "127.0.0.1:$metrics_port" },
  "notify": { "sink": "amqp", "amqp_url": "amqp://guest:guest@127.0.0.1:$amqp_port/" } }
JSON

metric() { # NAME -> value (empty when the server does not answer)
  curl -sf --max-time 2 "http://127.0.0.1:$metrics_port/metrics" | awk -v m="$1" '$1 == m { print $2 }'
}
serve() {
  "$irra" serve --config config.json >> irra.log 2>&1 &
  pid=$!
  for _ in $(seq 300); do [[ -n "$(metric irra_outbox_depth)" ]] && return 0; sleep 0.1; done
  fail "irra did not serve /metrics"
}
wait_drained() { # SECONDS
  local t0=$SECONDS
  until [[ "$(metric irra_outbox_depth)" == 0 && "$(metric irra_notify_broker_connected)" == 1 ]]; do
    ((SECONDS - t0 < $1)) || fail "the outbox did not drain within $1 s (depth $(metric irra_outbox_depth))"
    sleep 0.2
  done
}

say "starting RabbitMQ on 127.0.0.1:$amqp_port"
rabbitmq_start "$work/broker" "$amqp_port"
say "starting irra (notify.sink amqp)"
serve

# --- a) the broker dies in the middle of delivering 100,000 notices ---
say "queueing 100,000 activation notices"
"$fill" "sqlite3://$db" 100000 t1 | tee fill.log
t_queued=$SECONDS
until (($(metric irra_outbox_confirmed_total) >= 5000)); do
  ((SECONDS - t_queued < 60)) || fail "delivery did not start"
  sleep 0.05
done
# Stopped, not killed -9: Debian 12's RabbitMQ 3.10.8 can drop a durable queue's record when
# its node dies under load (rabbitmq-server PR #4563, fixed in later releases), and the
# relay's re-declare then starts an empty queue: that would lose what the broker itself had
# confirmed, which no publisher can prevent. A stop mid-delivery is what this test is about.
rabbitmq_stop "$work/broker"
depth=$(metric irra_outbox_depth)
say "broker stopped with $(metric irra_outbox_confirmed_total) confirmed, outbox depth $depth"
((depth > 0)) || fail "the broker went down after the outbox had drained: nothing was tested"
sleep 3
[[ "$(metric irra_notify_broker_connected)" == 0 ]] || fail "broker gauge still 1 while it is down"
((($(metric irra_outbox_depth)) > 0)) || fail "the outbox emptied while the broker was down"
say "starting RabbitMQ again"
t_restart=$SECONDS
rabbitmq_start "$work/broker" "$amqp_port"
wait_drained 120
say "outbox drained $((SECONDS - t_restart)) s after the restart began"

# --- b) irra killed -9 with events in the outbox ---
rabbitmq_stop "$work/broker"
say "broker stopped; queueing 20,000 more notices"
"$fill" "sqlite3://$db" 20000 t2 > /dev/null
for _ in $(seq 100); do (($(metric irra_outbox_depth) >= 20000)) && break; sleep 0.1; done
(($(metric irra_outbox_depth) >= 20000)) || fail "irra did not see the new notices"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
pid=""
say "irra killed -9 with 20,000 events in the outbox"
rabbitmq_start "$work/broker" "$amqp_port"
serve
wait_drained 120
say "delivered after the restart"

# --- every event exactly once after de-duplication ---
"$consume" "amqp://guest:guest@127.0.0.1:$amqp_port/" irra.notifications 1000000 3000 > got.tsv
python3 - got.tsv <<'PY'
import hashlib, json, sys

def event_id(*parts):
    h = hashlib.sha256()
    for p in ("activation",) + parts:
        b = p.encode()
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    d = bytearray(h.digest()[:16])
    d[6] = (d[6] & 0x0F) | 0x80
    d[8] = (d[8] & 0x3F) | 0x80
    x = d.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"

expected = {event_id("t1", f"T{i:06d}") for i in range(1, 100001)}
expected |= {event_id("t2", f"T{i:06d}") for i in range(1, 20001)}
seen = {}
for line in open(sys.argv[1]):
    mid, body = line.rstrip("\n").split("\t", 1)
    m = json.loads(body)
    assert m["event_id"] == mid, f"message_id {mid} != event_id {m['event_id']}"
    assert m["type"] == "activation" and m["ucc"] and m["url"], body
    seen[mid] = seen.get(mid, 0) + 1
missing = expected - seen.keys()
unexpected = seen.keys() - expected
dups = sum(n - 1 for n in seen.values())
print(f"messages {sum(seen.values())}, distinct {len(seen)}, expected {len(expected)}, "
      f"duplicates {dups}, missing {len(missing)}, unexpected {len(unexpected)}")
sys.exit(0 if not missing and not unexpected else 1)
PY
say "PASS"
