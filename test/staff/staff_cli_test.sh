#!/usr/bin/env bash
# End-to-end checks of `irra staff`: help and exit codes, add (generated and stdin
# passwords), list (no hashes or secrets), disable, reset, unknown users, and the audit
# records each change leaves (the chain still verifies).
#   staff_cli_test.sh IRRA [DB_URL]      (default DB: a fresh SQLite file)
set -euo pipefail

irra=$1
db_url=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
[[ -n "$db_url" ]] || db_url="sqlite3://$work/irra.db"
checks=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); }

cat > config.json <<JSON
{ "database": { "url": "$db_url" }, "failover": { "probes": [] } }
JSON

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

expect_rc() {  # expect_rc RC ARGS... : runs irra, stderr to err
  local want=$1; shift
  set +e
  "$irra" "$@" > out 2> err; local rc=$?
  set -e
  [[ $rc -eq $want ]] || { cat out err; fail "irra $* exits $want, got $rc"; }
}

# --- help and usage errors (exit 2, one line) ---
"$irra" --help | grep -q "staff" || fail "--help lists staff"; ok
"$irra" staff --help | grep -q "Usage: irra staff" || fail "staff --help"; ok
expect_rc 2 staff
expect_rc 2 staff frobnicate --config config.json
grep -q "unknown action 'frobnicate'" err || fail "unknown action named"; ok
expect_rc 2 staff add --config config.json
grep -q -- "--user NAME is required" err || fail "add needs --user"; ok
expect_rc 2 staff add --user "bad name" --config config.json
expect_rc 2 staff add --user alice --role root --config config.json
grep -q "unknown role 'root'" err && [[ $(wc -l < err) -eq 1 ]] || fail "bad role: one line"; ok
expect_rc 2 staff disable --user alice --role admin --config config.json
echo "too short" | { set +e; "$irra" staff add --user alice --password-stdin --config config.json > out 2> err; rc=$?; set -e; [[ $rc -eq 2 ]]; } || fail "short stdin password exits 2"
grep -q "at least 12" err || fail "short password message"; ok

# --- add with a generated password ---
"$irra" staff add --user alice --role dealer --config config.json > add.out 2> add.err
grep -q "^user: alice$" add.out && grep -q "^role: dealer$" add.out || fail "add prints user and role"; ok
pw=$(sed -n 's/^password: //p' add.out)
[[ ${#pw} -eq 20 ]] || fail "generated password of 20 characters"; ok
secret=$(sed -n 's/^totp_secret: //p' add.out)
[[ "$secret" =~ ^[A-Z2-7]{32}$ ]] || fail "TOTP secret in base32"; ok
grep -q "^provisioning_uri: otpauth://totp/IRRA:alice?secret=$secret&issuer=IRRA&algorithm=SHA1&digits=6&period=30$" add.out \
  || fail "provisioning URI"; ok
grep -q "█" add.out && fail "no QR code when stdout is not a terminal"; ok
grep -q "shown only this once" add.err || fail "add warns the password is shown once"; ok
[[ $(sql "SELECT password_hash FROM staff_users WHERE user_name = 'alice'") == '$argon2id$'* ]] \
  || fail "password stored as Argon2id"; ok

expect_rc 1 staff add --user alice --config config.json
grep -q "already exists" err && [[ $(wc -l < err) -eq 1 ]] || fail "duplicate add: exit 1, one line"; ok

# --- add with a password from stdin, QR forced, default role ---
echo "a-long-enough-password" | "$irra" staff add --user bob --password-stdin --qr --config config.json > bob.out 2> bob.err
grep -q "^role: viewer$" bob.out || fail "default role viewer"; ok
grep -q "^password:" bob.out && fail "a given password is not echoed"; ok
grep -q "█" bob.out || fail "--qr prints the QR code"; ok

# --- list: JSON lines without hashes or secrets ---
"$irra" staff list --config config.json > list.out
[[ $(wc -l < list.out) -eq 2 ]] || fail "list: one line per account"; ok
python3 - list.out <<'PY' || fail "list lines are the documented objects"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["user"] for r in rows] == ["alice", "bob"], rows
assert [r["role"] for r in rows] == ["dealer", "viewer"], rows
for r in rows:
    assert set(r) == {"user", "role", "disabled", "created_at", "updated_at"}, r
    assert r["disabled"] is False
    assert r["created_at"].endswith("Z")
PY
ok
grep -q -e "argon2" -e "$secret" -e "$pw" list.out && fail "list shows no hashes or secrets"; ok

# --- disable and reset ---
"$irra" staff disable --user alice --config config.json | grep -q "disabled: alice" || fail "disable"; ok
"$irra" staff list --config config.json | grep '"user":"alice"' | grep -q '"disabled":true' || fail "listed as disabled"; ok
expect_rc 1 staff disable --user carol --config config.json
grep -q "no staff user 'carol'" err && [[ $(wc -l < err) -eq 1 ]] || fail "disable unknown: exit 1, one line"; ok
expect_rc 1 staff reset --user carol --config config.json
grep -q "no staff user 'carol'" err && [[ $(wc -l < err) -eq 1 ]] || fail "reset unknown: exit 1, one line"; ok

"$irra" staff reset --user alice --role supervisor --config config.json > reset.out 2> /dev/null
grep -q "^role: supervisor$" reset.out || fail "reset changes the role"; ok
[[ $(sed -n 's/^password: //p' reset.out) != "$pw" ]] || fail "reset: new password"; ok
[[ $(sed -n 's/^totp_secret: //p' reset.out) != "$secret" ]] || fail "reset: new TOTP secret"; ok
"$irra" staff list --config config.json | grep '"user":"alice"' | grep -q '"disabled":false' || fail "reset re-enables"; ok
"$irra" staff reset --user bob --config config.json 2> /dev/null | grep -q "^role: viewer$" || fail "reset keeps the role"; ok

# --- audit: one staff.account record per change, chain intact, nothing secret ---
"$irra" audit verify --config config.json | grep -q '"ok":true' || fail "audit verifies"; ok
[[ $(sql "SELECT COUNT(*) FROM audit_log WHERE type = 'staff.account'") -eq 5 ]] || fail "five account changes audited"; ok
sql "SELECT detail FROM audit_log WHERE type = 'staff.account' ORDER BY seq" > details
grep -q '"action":"add".*"role":"dealer".*"user":"alice"\|"action":"add","role":"dealer","user":"alice"' details || { cat details; fail "add audited"; }; ok
grep -q '"action":"disable"' details && grep -q '"action":"reset"' details || fail "disable/reset audited"; ok
grep -q -e "argon2" -e "$secret" -e "$pw" details && fail "audit holds no secrets"; ok
actor=$(sql "SELECT DISTINCT actor FROM audit_log WHERE type = 'staff.account'")
[[ "$actor" == "host:${USER:-}" || "$actor" == "host" ]] || fail "actor host:\$USER (got $actor)"; ok

echo "staff_cli_test: $checks checks passed ($db_url)"
