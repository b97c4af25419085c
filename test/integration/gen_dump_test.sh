#!/usr/bin/env bash
# Checks irra-gen-dump's output against the dump contract (interfaces.md section 4) with
# plain tools: row counts and SHA-256 against the manifest, determinism, references,
# lots, ticks and bands, and that every --break kind makes exactly the defect it reports.
# Usage: gen_dump_test.sh PATH_TO_irra-gen-dump
set -euo pipefail

gen="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1733100000  # pins generated_at so whole dumps compare equal
files="clients.csv instruments.csv positions.csv holdings.csv funds.csv"
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
not() { ! "$@"; }
check() {  # check DESCRIPTION COMMAND...
  local what="$1"
  shift
  if "$@"; then echo "ok: $what"; else fail "$what"; fi
}

# manifest_value DIR FILE KEY: the value of "rows" or "sha256" for FILE in DIR/manifest.json.
manifest_value() {
  awk -v f="\"$2\"" -v k="\"$3\"" '
    index($0, f) { inside = 1; next }
    inside && index($0, k) { v = $2; gsub(/[",]/, "", v); print v; exit }' "$1/manifest.json"
}

# consistent DIR FILE: the manifest's rows and sha256 match the file's bytes.
consistent() {
  local rows sha
  rows=$(($(wc -l <"$1/$2") - 1))
  sha=$(sha256sum "$1/$2" | cut -d' ' -f1)
  [[ "$(manifest_value "$1" "$2" rows)" == "$rows" && "$(manifest_value "$1" "$2" sha256)" == "$sha" ]]
}

gen_dump() {  # gen_dump DIR [extra options...]; stderr goes to DIR.err
  local dir="$1"
  shift
  "$gen" --out "$dir" --clients 300 --seed 7 --trading-date 2024-12-02 "$@" 2>"$dir.err" >"$dir.out"
}

echo "== usage errors exit 2 with one line"
usage_exit() {
  local rc=0
  "$gen" "$@" >/dev/null 2>"$work/usage.err" || rc=$?
  [[ $rc -eq 2 && $(wc -l <"$work/usage.err") -eq 1 ]]
}
check "no --out" usage_exit --clients 5
check "--clients 0" usage_exit --out "$work/u" --clients 0
check "--clients -1" usage_exit --out "$work/u" --clients -1
check "--clients 12abc" usage_exit --out "$work/u" --clients 12abc
check "--trading-date 2024-02-30" usage_exit --out "$work/u" --trading-date 2024-02-30
check "--break nonsense" usage_exit --out "$work/u" --break nonsense
check "--unknown-flag" usage_exit --out "$work/u" --unknown-flag
check "--break on a dump too small" usage_exit --out "$work/u" --clients 1 --positions-per-client 1 --break duplicate
check "--help exits 0" "$gen" --help >/dev/null

echo "== a clean dump matches its manifest"
gen_dump "$work/a"
check "success prints a one-line summary" test "$(wc -l <"$work/a.out")" -eq 1
check "no break reports without --break" test ! -s "$work/a.err"
check "manifest has the trading date" grep -q '"trading_date": "2024-12-02"' "$work/a/manifest.json"
check "generated_at is ISO-8601 UTC" grep -q '"generated_at": "2024-12-02T00:40:00Z"' "$work/a/manifest.json"
for f in $files; do
  check "$f rows and sha256 match the manifest" consistent "$work/a" "$f"
done
header_is() { [[ "$(head -n 1 "$work/a/$1")" == "$2" ]]; }
check "clients.csv header" header_is clients.csv "ucc,pan,name,mobile,email,eligible"
check "instruments.csv header" header_is instruments.csv \
  "instrument_id,exchange,segment,symbol,lot_size,tick_size,freeze_qty,lower_band,upper_band,prev_close"
check "positions.csv header" header_is positions.csv "ucc,instrument_id,product,net_qty,avg_price"
check "holdings.csv header" header_is holdings.csv "ucc,instrument_id,qty,avg_price"
check "funds.csv header" header_is funds.csv "ucc,opening_balance,margin_used,collateral"
check "sizes: 300 clients, 200 instruments, 1500 positions, 900 holdings" test \
  "$(manifest_value "$work/a" clients.csv rows) $(manifest_value "$work/a" instruments.csv rows) $(manifest_value "$work/a" positions.csv rows) $(manifest_value "$work/a" holdings.csv rows)" = "300 200 1500 900"

echo "== determinism"
gen_dump "$work/b"
same_dump() { for f in $files manifest.json; do cmp -s "$1/$f" "$2/$f" || return 1; done; }
check "same seed gives byte-identical files" same_dump "$work/a" "$work/b"
"$gen" --out "$work/c" --clients 300 --seed 8 --trading-date 2024-12-02 >/dev/null
check "another seed gives other positions" not cmp -s "$work/a/positions.csv" "$work/c/positions.csv"
check "demo clients do not depend on the seed" cmp -s <(head -n 6 "$work/a/clients.csv") <(head -n 6 "$work/c/clients.csv")

echo "== contents"
# clients.csv: only the name may hold commas, so take two fields from the left, three from the right.
clients_ok() {
  awk -F, 'NR > 1 {
      ucc = $1; pan = $2; mobile = $(NF - 2); email = $(NF - 1); elig = $NF
      if (ucc !~ /^C[0-9][0-9][0-9][0-9][0-9][0-9]$/) { print "bad ucc " $0; bad = 1 }
      if (pan !~ /^[A-Z][A-Z][A-Z][A-Z][A-Z][0-9][0-9][0-9][0-9][A-Z]$/) { print "bad pan " $0; bad = 1 }
      if (mobile !~ /^[6-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]$/) { print "bad mobile " $0; bad = 1 }
      if (email !~ /^[a-z.0-9]+@[a-z.]+$/) { print "bad email " $0; bad = 1 }
      if (elig != "Y" && elig != "N") { print "bad eligible " $0; bad = 1 }
      if (pan in seen_pan || ucc in seen_ucc || mobile in seen_mobile) { print "repeat " $0; bad = 1 }
      seen_pan[pan]; seen_ucc[ucc]; seen_mobile[mobile]
    }
    END { exit bad }' "$work/a/clients.csv"
}
check "clients: UCC, PAN, mobile, email, eligible well formed and unique" clients_ok
check "names with a comma are quoted" grep -q '^C[0-9]*,[A-Z0-9]*,"[^"]*, ' "$work/a/clients.csv"
check "names with quotes double them" grep -q '""' "$work/a/clients.csv"
check "some clients are ineligible" grep -q ',N$' "$work/a/clients.csv"
check "the five demo clients are fixed and eligible" cmp -s <(head -n 6 "$work/a/clients.csv" | cut -d, -f1,3,6) \
  <(printf '%s\n' ucc,name,eligible C000001,"Aarav Sharma",Y C000002,"Priya Nair",Y C000003,"Rohan Mehta",Y \
    C000004,"Ananya Iyer",Y C000005,"Vikram Singh",Y)

# paise FIELD: a price in rupees with two decimals as integer paise ("" if malformed).
prices_ok() {
  awk -F, 'function paise(s) { return s ~ /^[0-9]+\.[0-9][0-9]$/ ? s * 100 + 0.5 : "" }
    NR > 1 {
      seg = $3; lot = $5; tick = paise($6); lo = paise($8); hi = paise($9); prev = paise($10)
      if (tick == "" || lo == "" || hi == "" || prev == "") { print "bad price " $0; bad = 1; next }
      t = int(tick); l = int(lo); h = int(hi); p = int(prev)
      if (l % t || h % t || p % t) { print "off tick " $0; bad = 1 }
      if (!(t <= l && l <= p && p <= h)) { print "bad band " $0; bad = 1 }
      pct = seg == "EQ" ? 10 : seg == "FO" ? 40 : 10
      if ((p - l) * 100 > p * pct || (h - p) * 100 > p * pct) { print "band too wide " $0; bad = 1 }
      if (seg == "EQ" && lot != 1) { print "EQ lot " $0; bad = 1 }
      if ($7 % lot) { print "freeze_qty not a lot multiple " $0; bad = 1 }
      if ($1 != $2 ":" $4) { print "id is not exchange:symbol " $0; bad = 1 }
      n[seg]++
    }
    END { if (!n["EQ"] || !n["FO"] || !n["CD"] || !n["COM"]) { print "a segment is missing"; bad = 1 }
          exit bad }' "$work/a/instruments.csv"
}
check "instruments: prices on the tick grid, inside their bands, every segment present" prices_ok

# Joins a rows file against instruments.csv (lot, tick, segment) and checks it with BODY.
positions_ok() {
  awk -F, 'NR == FNR { if (FNR > 1) { seg[$1] = $3; lot[$1] = $5; tick[$1] = $6 * 100 + 0.5 } next }
    FNR > 1 {
      id = $2; prod = $3; q = $4; key = $1 "," id "," prod
      if (!(id in seg)) { print "unknown instrument " $0; bad = 1; next }
      if (key in seen) { print "duplicate " $0; bad = 1 }
      seen[key]
      if ($5 !~ /^[0-9]+\.[0-9][0-9]$/ || int($5 * 100 + 0.5) % int(tick[id])) { print "avg off tick " $0; bad = 1 }
      if (seg[id] == "EQ" && prod != "CNC" && prod != "MTF" && prod != "MIS") { print "EQ product " $0; bad = 1 }
      if (seg[id] != "EQ" && prod != "NRML" && prod != "MIS") { print "derivative product " $0; bad = 1 }
      if (q == 0 || (q < 0 && prod != "MIS" && prod != "NRML")) { print "bad qty " $0; bad = 1 }
      if (q % lot[id]) { print "not whole lots " $0; bad = 1 }
      if (q < 0) shorts++
      if (seg[id] == "FO") fo++
      per[$1]++
    }
    END { for (c in per) if (per[c] != 5) { print "client " c " has " per[c]; bad = 1 }
          if (!shorts || !fo) { print "no shorts or no F&O"; bad = 1 }
          exit bad }' "$work/a/instruments.csv" "$work/a/positions.csv"
}
check "positions: known instruments, unique keys, fitting products, whole lots, 5 per client" positions_ok
check "demo clients hold long and short MIS and NRML positions" test \
  "$(grep -cE '^C00000[1-5],[^,]*,(MIS|NRML),-' "$work/a/positions.csv")" -ge 5
holdings_ok() {
  awk -F, 'NR == FNR { if (FNR > 1) seg[$1] = $3; next }
    FNR > 1 { if (seg[$2] != "EQ" || $3 !~ /^[1-9][0-9]*$/ || ($1 "," $2) in seen) { print; bad = 1 } seen[$1 "," $2] }
    END { exit bad }' "$work/a/instruments.csv" "$work/a/holdings.csv"
}
check "holdings: equities only, positive quantities, one row per instrument" holdings_ok
refs_ok() {  # every ucc of FILE is in clients.csv
  awk -F, 'NR == FNR { if (FNR > 1) c[$1]; next } FNR > 1 && !($1 in c) { print; bad = 1 } END { exit bad }' \
    "$work/a/clients.csv" "$work/a/$1"
}
for f in positions.csv holdings.csv funds.csv; do check "$f refers only to known clients" refs_ok "$f"; done
check "funds: one row per client, rupees with paise" test \
  "$(grep -cE '^C[0-9]{6},[0-9]+\.[0-9]{2},[0-9]+\.[0-9]{2},[0-9]+\.[0-9]{2}$' "$work/a/funds.csv")" -eq 300

echo "== --break makes exactly the defect it reports"
# location DIR KIND: the FILE:LINE the generator reported for KIND.
location() { sed -n "s/^irra-gen-dump: break $2: \([a-z.]*:[0-9]*\): .*/\1/p" "$1.err"; }
# only_line_differs CLEAN BROKEN LINE: the two files differ exactly on that line.
only_line_differs() {
  [[ $(wc -l <"$1") -eq $(wc -l <"$2") ]] &&
    [[ "$(diff <(cat -n "$1") <(cat -n "$2") | sed -n 's/^> *\([0-9]*\)\t.*/\1/p' | tr '\n' ' ')" == "$3 " ]]
}
field() { sed -n "${2}p" "$1" | cut -d, -f"$3"; }
others_identical() {  # others_identical BROKEN FILE...: the other CSV files equal the clean dump's
  local broken="$1" f
  shift
  for f in $files; do
    [[ " $* " == *" $f "* ]] || cmp -s "$work/a/$f" "$broken/$f" || return 1
  done
}

for kind in checksum row-count unknown-instrument unknown-client bad-number duplicate bad-header off-lot; do
  d="$work/break-$kind"
  gen_dump "$d" --break "$kind"
  loc="$(location "$d" "$kind")"
  file="${loc%%:*}"
  line="${loc##*:}"
  check "$kind: one report naming a file and line ($loc)" test "$(wc -l <"$d.err")" -eq 1 -a -n "$loc"
  case "$kind" in
    checksum)
      check "checksum: only $loc changed" only_line_differs "$work/a/positions.csv" "$d/positions.csv" "$line"
      check "checksum: manifest keeps the clean sha256" test \
        "$(manifest_value "$d" positions.csv sha256)" = "$(manifest_value "$work/a" positions.csv sha256)"
      check "checksum: the file no longer matches it" not consistent "$d" positions.csv
      check "checksum: rows still match" test "$(manifest_value "$d" positions.csv rows)" -eq 1500
      check "checksum: nothing else changed" others_identical "$d" positions.csv ;;
    row-count)
      check "row-count: reported at manifest.json" test "$file" = manifest.json
      check "row-count: that line is holdings.csv's rows" grep -q '"rows": 901,' <(sed -n "${line}p" "$d/manifest.json")
      check "row-count: every csv file is unchanged" others_identical "$d"
      check "row-count: sha256 still matches" test \
        "$(manifest_value "$d" holdings.csv sha256)" = "$(sha256sum "$d/holdings.csv" | cut -d' ' -f1)" ;;
    unknown-instrument)
      check "unknown-instrument: only $loc changed" only_line_differs "$work/a/positions.csv" "$d/positions.csv" "$line"
      check "unknown-instrument: it names an instrument not in instruments.csv" \
        not grep -q "^$(field "$d/positions.csv" "$line" 2)," "$d/instruments.csv" ;;
    unknown-client)
      check "unknown-client: only $loc changed" only_line_differs "$work/a/positions.csv" "$d/positions.csv" "$line"
      check "unknown-client: it names a client not in clients.csv" \
        not grep -q "^$(field "$d/positions.csv" "$line" 1)," "$d/clients.csv" ;;
    bad-number)
      check "bad-number: in funds.csv" test "$file" = funds.csv
      check "bad-number: only $loc changed" only_line_differs "$work/a/funds.csv" "$d/funds.csv" "$line"
      check "bad-number: opening_balance is not a number" not grep -qE '^[0-9]+\.[0-9]{2}$' <(field "$d/funds.csv" "$line" 2) ;;
    duplicate)
      check "duplicate: only $loc changed" only_line_differs "$work/a/positions.csv" "$d/positions.csv" "$line"
      check "duplicate: it repeats the line above" test \
        "$(sed -n "${line}p" "$d/positions.csv")" = "$(sed -n "$((line - 1))p" "$d/positions.csv")" ;;
    bad-header)
      check "bad-header: funds.csv:1" test "$loc" = funds.csv:1
      check "bad-header: only the header changed" only_line_differs "$work/a/funds.csv" "$d/funds.csv" 1 ;;
    off-lot)
      check "off-lot: only $loc changed" only_line_differs "$work/a/positions.csv" "$d/positions.csv" "$line"
      off_lot_ok() {
        local row id qty lot
        row="$(sed -n "${line}p" "$d/positions.csv")"
        id="$(cut -d, -f2 <<<"$row")"
        qty="$(cut -d, -f4 <<<"$row")"
        lot="$(grep "^$id,[A-Z]*,FO," "$d/instruments.csv" | cut -d, -f5)"
        [[ -n "$lot" && $((qty % lot)) -ne 0 ]]
      }
      check "off-lot: an F&O quantity that is not whole lots" off_lot_ok ;;
  esac
  if [[ "$kind" != checksum && "$kind" != row-count ]]; then
    check "$kind: the broken file still matches the manifest (one defect only)" consistent "$d" "$file"
    check "$kind: nothing else changed" others_identical "$d" "$file"
  fi
done

d="$work/break-all"
gen_dump "$d" --break checksum --break row-count --break unknown-instrument --break unknown-client \
  --break bad-number --break duplicate --break bad-header --break off-lot
check "all kinds at once: eight reports at eight different places" test \
  "$(sed -n 's/^irra-gen-dump: break [a-z-]*: \([a-z.]*:[0-9]*\): .*/\1/p' "$d.err" | sort -u | wc -l)" -eq 8

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all gen-dump checks passed"
