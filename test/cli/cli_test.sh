#!/usr/bin/env bash
# End-to-end checks of the `irra` command line: help and exit codes, sod-import of good and
# broken dumps (the database is left as it was), audit verify catching an edited record,
# and `irra serve` telling systemd it is ready and stopping cleanly on SIGTERM.
#   cli_test.sh IRRA GEN_DUMP [DB_URL]      (default DB: a fresh SQLite file)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../scripts/lib/ports.sh
source "$here/../../scripts/lib/ports.sh"

irra=$1
gen=$2
db_url=${3:-}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
[[ -n "$db_url" ]] || db_url="sqlite3://$work/irra.db"
checks=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); }

ports=$(free_port_block 2 23000 23999) || fail "no two free ports in 23000-23999"
cat > config.json <<JSON
{ "database": { "url": "$db_url" },
  "admin": { "socket": "$work/irra.sock" },
  "http": { "listen": "127.0.0.1:$ports" },
  "metrics": { "listen": "127.0.0.1:$((ports + 1))" },
  "failover": { "probes": [] } }
JSON

# Clean slate on MySQL (tables of an earlier run).
if [[ "$db_url" == mysql://* ]]; then
  rest=${db_url#mysql://}; creds=${rest%%@*}; hostdb=${rest#*@}
  user=${creds%%:*}; pass=${creds#*:}; hostport=${hostdb%%/*}; db=${hostdb#*/}
  mysql_cmd=(mariadb -u"$user" -p"$pass" -h"${hostport%%:*}" -P"${hostport##*:}" "$db")
  tables=$("${mysql_cmd[@]}" -N -e "SHOW TABLES" | paste -sd, -)
  [[ -z "$tables" ]] || "${mysql_cmd[@]}" -e "SET FOREIGN_KEY_CHECKS=0; DROP TABLE $tables"
  sql() { "${mysql_cmd[@]}" -N -e "$1"; }
else
  sql() { sqlite3 "$work/irra.db" "$1"; }
fi

# --- help, version, usage errors ---
"$irra" --help | grep -q "sod-import" || fail "--help lists the commands"; ok
"$irra" --version | grep -Eq '^irra [0-9]+\.[0-9]+\.[0-9]+$' || fail "--version"; ok
for cmd in serve sod-import audit; do
  "$irra" "$cmd" --help | grep -q "Usage: irra $cmd" || fail "$cmd --help"; ok
done
set +e
"$irra" frobnicate 2> err; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "unknown command 'frobnicate'" err || fail "unknown command exits 2"; ok
set +e
"$irra" sod-import --config config.json --dupm x 2> err; rc=$?
set -e
[[ $rc -eq 2 && $(wc -l < err) -eq 1 ]] && grep -q -- "--dupm" err || fail "bad flag: one line, exit 2"; ok
echo '{"exchange": {"sesions": {}}}' > typo.json
set +e
"$irra" serve --config typo.json 2> err; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "exchange.sesions" err || fail "unknown config key exits 2 naming it"; ok

# --- sod-import: a good dump ---
"$gen" --out good --clients 300 --positions-per-client 5 --seed 11 > /dev/null
"$irra" sod-import --config config.json --dump good > out.json || fail "good dump imports"
grep -q '"clients":300' out.json && grep -q '"positions":1500' out.json || fail "import summary"
[[ $(sql "SELECT COUNT(*) FROM sod_positions") -eq 1500 ]] || fail "positions stored"; ok
[[ $(sql "SELECT COUNT(*) FROM clients") -eq 300 ]] || fail "clients stored"; ok

# --- broken dumps: every one rejected with its file:line, the database unchanged ---
before=$(sql "SELECT COUNT(*), SUM(net_qty) FROM sod_positions")
for kind in checksum row-count unknown-instrument unknown-client bad-number duplicate bad-header off-lot; do
  rm -rf "bad-$kind"
  "$gen" --out "bad-$kind" --clients 200 --seed 12 --break "$kind" > /dev/null 2> "gen-$kind.err"
  set +e
  "$irra" sod-import --config config.json --dump "bad-$kind" > /dev/null 2> "imp-$kind.err"; rc=$?
  set -e
  [[ $rc -eq 1 ]] || fail "broken dump ($kind) exits 1, got $rc"
  # The generator names the place it broke as file:line (or file for a whole-file defect).
  where=$(grep -Eo '[a-z_]+\.csv(:[0-9]+)?' "gen-$kind.err" | head -n 1)
  [[ -n "$where" ]] || fail "generator told where it broke ($kind)"
  # A checksum or row-count defect is a whole-file error ("file: ..."); the rest name the line.
  case $kind in checksum | row-count) where="${where%%:*}:" ;; esac
  grep -q "^$where" "imp-$kind.err" || { cat "gen-$kind.err" "imp-$kind.err"; fail "error names $where ($kind)"; }
  [[ $(sql "SELECT COUNT(*), SUM(net_qty) FROM sod_positions") == "$before" ]] || fail "database unchanged after $kind"
  ok
done

# --- audit: the import was recorded, verify passes, then catches an edit ---
"$irra" audit verify --config config.json | grep -q '"ok":true' || fail "audit verifies"; ok
"$irra" audit export --config config.json --out audit.csv 2> /dev/null
grep -q "sod.import" audit.csv || fail "export has the import"; ok
sql "UPDATE audit_log SET actor = 'someone else' WHERE seq = 1"
set +e
"$irra" audit verify --config config.json > verify.json; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q '"first_bad_seq":1' verify.json || fail "audit verify catches an edited record"; ok

# --- serve: READY=1 through sd_notify, clean stop on SIGTERM ---
python3 "$here/notify_listener.py" "$work/notify.sock" "STOPPING=1" 30 > notify.log &
listener=$!
for _ in $(seq 50); do grep -q listening notify.log 2>/dev/null && break; sleep 0.1; done
NOTIFY_SOCKET="$work/notify.sock" "$irra" serve --config config.json > serve.log 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "READY=1" notify.log && break; sleep 0.1; done
grep -q "READY=1" notify.log || { cat serve.log; fail "serve notifies READY=1"; }; ok
grep -q "300 clients" serve.log || fail "serve loads the mirror"; ok
kill -TERM "$server"
set +e
wait "$server"; rc=$?
set -e
[[ $rc -eq 0 ]] || { cat serve.log; fail "serve exits 0 on SIGTERM (got $rc)"; }; ok
wait "$listener" || true
grep -q "STOPPING=1" notify.log || fail "serve notifies STOPPING=1"; ok
grep -q "stopped cleanly" serve.log || fail "serve drains and says so"; ok

echo "cli_test: $checks checks passed ($db_url)"
