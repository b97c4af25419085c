#!/usr/bin/env bash
# Chaos scenario: the database's disk fills up under load.
# IRRA's SQLite database lives on a small filesystem of its own (a tmpfs of CHAOS_FS_MB, 64
# MB), with the drop copy flowing and investors trading. A filler file then takes every free
# byte for FULL_S seconds (30; 8 with CHAOS_QUICK=1): /readyz turns 503 with the database's
# own error ("database or disk is full"), /metrics shows irra_db_healthy 0, a square-off
# answers 503 at once, irra keeps running. The filler is removed: everything drains by
# itself, a square-off is accepted again; after a clean stop `PRAGMA integrity_check` finds
# the database intact, and chaos_check compares the mirror with the simulator's own record.
# Needs root (mount); exits 77 (skipped) when this machine does not allow a tmpfs mount.
#   FULL_S, CHAOS_FS_MB, CHAOS_FLOW_RATE (default 300 reports/s). See test/chaos/lib.sh.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

chaos_init disk_full
full_s=${FULL_S:-30}
[[ $CHAOS_QUICK == 1 && -z ${FULL_S:-} ]] && full_s=8
fs_mb=${CHAOS_FS_MB:-64}
rate=${CHAOS_FLOW_RATE:-300}
fs=$CHAOS_WORK/dbfs
mkdir -p "$fs"
if ! mount -t tmpfs -o "size=${fs_mb}m,mode=0755" irra-chaos "$fs" 2> "$CHAOS_WORK/mount.log"; then
  echo "disk_full: cannot mount a tmpfs here ($(head -n 1 "$CHAOS_WORK/mount.log")): skipped"
  rmdir "$fs"
  exit 77
fi
# The filesystem goes after everything else has stopped (the cleanup kills irra first).
_chaos_cleanup_extra() { umount -l "$fs" 2>/dev/null || true; }
export CHAOS_DB_URL=sqlite3://$fs/irra.db
checked="readyz 503 naming the full disk, irra_db_healthy 0, a square-off answers 503 at once, irra keeps running; drains by itself once space returns (backlog 0, readyz 200, a square-off accepted); PRAGMA integrity_check ok; mirror exact vs the simulator"

chaos_setup 300
chaos_sim_start "$rate"
chaos_irra_start --active
chaos_log "irra ready in $(chaos_irra_wait_ready) s on a ${fs_mb} MB filesystem ($(du -sh "$fs" | cut -f1) used); load starting"
chaos_load_start
chaos_probe login > "$CHAOS_WORK/probe.log" 2>&1 || chaos_fail "probe login: $(tail -n 3 "$CHAOS_WORK/probe.log")"
sleep 3


chaos_log "filling the filesystem"
t0=$(chaos_now)
dd if=/dev/zero of="$fs/filler" bs=1M 2> /dev/null || true # ends with "No space left on device"
chaos_log "full: $(df -h --output=used,avail "$fs" | tail -n 1)"
t503=$(chaos_wait_not_ready "$t0" 15) || chaos_fail "/readyz still not 503 15 s after the disk filled"
why=$(curl -sk --max-time 2 "$CHAOS_URL/readyz")
chaos_log "readyz 503 after $t503 s: $(head -c 300 <<< "$why")"
grep -qi "full" <<< "$why" || chaos_fail "/readyz does not name the full disk: $why"
[[ $(chaos_metric irra_db_healthy) == 0 ]] || chaos_fail "irra_db_healthy is not 0 with the disk full"
answer=$(chaos_probe square-off)
read -r status ms _ <<< "$answer"
chaos_log "square-off answered: $answer"
[[ $status == 503 ]] || chaos_fail "a square-off with the disk full answered '$answer' (503 expected)"
((ms < 2000)) || chaos_fail "the square-off took $ms ms to be refused"
max_backlog=0
while [[ $(chaos_elapsed "$t0" | cut -d. -f1) -lt $full_s ]]; do
  chaos_irra_alive || chaos_fail "irra exited with the disk full"
  backlog=$(chaos_metric irra_db_write_backlog)
  [[ -n $backlog ]] || chaos_fail "/metrics does not answer with the disk full"
  ((backlog > max_backlog)) && max_backlog=$backlog
  sleep 0.5
done
rm -f "$fs/filler"
t_free=$(chaos_now)
chaos_log "space back after ${full_s} s (backlog at most $max_backlog jobs)"
drained=$(chaos_wait_drained "$t_free" 120) ||
  chaos_fail "not drained 120 s after space returned: $(curl -sk --max-time 2 "$CHAOS_URL/readyz")"
chaos_log "drained and ready $drained s after space returned"
answer=$(chaos_probe square-off)
read -r status _ <<< "$answer"
[[ $status == 202 ]] || chaos_fail "a square-off after the recovery answered '$answer' (202 expected)"
sleep 2
chaos_load_stop
chaos_settle
if ! chaos_check; then
  chaos_result "database disk full ${full_s} s" fail "$(grep -m3 FAIL "$CHAOS_WORK/check.out" | tr '\n' ' ' | cut -c1-600)" "" "" "$checked"
  chaos_fail "invariants broken after the disk-full outage ($CHAOS_WORK/check.out)"
fi
chaos_irra_stop
integrity=$(sqlite3 "$fs/irra.db" 'PRAGMA integrity_check' 2>&1)
[[ $integrity == ok ]] || chaos_fail "PRAGMA integrity_check: $integrity"
chaos_log "integrity_check: ok"
chaos_result "database disk full ${full_s} s" pass \
  "readyz 503 after $t503 s naming the full disk; backlog at most $max_backlog jobs; square-off 503 at once; drained $drained s after space returned; integrity_check ok" \
  "$drained" "a filler file takes every free byte of the SQLite database's own ${fs_mb} MB tmpfs for $full_s s under a $rate reports/s drop copy and investor load, then is removed" "$checked"
