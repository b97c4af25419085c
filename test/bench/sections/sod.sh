#!/usr/bin/env bash
# Section "sod": start-of-day import of 100,000 clients and 1,000,000 positions (every row
# validated, checksums checked), into SQLite and MariaDB, next to the database's own bulk
# loader on the same positions CSV: `sqlite3 .import` and MariaDB's `LOAD DATA LOCAL INFILE`
# into a table of the same shape (quality.md: within 2x). IRRA's figure covers the whole
# dump (clients, instruments, holdings and funds too); the baseline loads positions.csv only.
set -euo pipefail
# shellcheck source=../lib.sh
source "$IRRA_BENCH_ROOT/test/bench/lib.sh"

import_bench=$IRRA_BENCH_BUILD/test/sod/sod_import_bench
[[ -x "$import_bench" ]] || bench_die "$import_bench is missing (built with the tests)"
case $IRRA_BENCH_MODE in
  full) runs=3 clients=100000 ;;
  quick) runs=1 clients=100000 ;;
  *) runs=1 clients=200 ;;
esac
dump=$(bench_dump "sod-$clients" --clients "$clients" --positions-per-client 10 --seed 7)
rows=$(($(wc -l < "$dump/positions.csv") - 1))
dbs=(sqlite)
[[ -n "${IRRA_BENCH_MYSQL_DIR:-}" ]] && dbs+=(mariadb)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
: > "$IRRA_BENCH_WORK/runs.jsonl"

irra_import() { # DB RUN
  local db=$1 url t0 line secs
  if [[ $db == sqlite ]]; then
    rm -f "$IRRA_BENCH_WORK/irra.db"*
    url="sqlite3://$IRRA_BENCH_WORK/irra.db"
  else
    url=$(bench_mysql_fresh irra_bench_sod)
  fi
  # Timed: opening the database (its schema made on the first), validating, writing.
  t0=$(now)
  line=$("$import_bench" "$dump" "$url") || bench_die "import into $db failed: $line"
  secs=$(since "$t0")
  printf '{"db":"%s","who":"irra","run":%d,"seconds":%s,"report":"%s"}\n' "$db" "$2" "$secs" \
    "$line" >> "$IRRA_BENCH_WORK/runs.jsonl"
  bench_say "irra import, $db, run $2: $secs s ($line)"
}

own_loader() { # DB RUN
  local db=$1 t0 secs
  if [[ $db == sqlite ]]; then
    rm -f "$IRRA_BENCH_WORK/own.db"
    sqlite3 "$IRRA_BENCH_WORK/own.db" "CREATE TABLE sod_positions (ucc VARCHAR(32) NOT NULL,
      instrument_id VARCHAR(64) NOT NULL, product VARCHAR(8) NOT NULL, net_qty BIGINT NOT NULL,
      avg_price NUMERIC NOT NULL, PRIMARY KEY (ucc, instrument_id, product));"
    t0=$(now)
    sqlite3 "$IRRA_BENCH_WORK/own.db" ".mode csv" \
      ".import --skip 1 '$dump/positions.csv' sod_positions" || bench_die "sqlite3 .import failed"
    secs=$(since "$t0")
  else
    bench_mysql_fresh irra_bench_load > /dev/null
    bench_mysql_root irra_bench_load -e "CREATE TABLE sod_positions (ucc VARCHAR(32) NOT NULL,
      instrument_id VARCHAR(64) NOT NULL, product VARCHAR(8) NOT NULL, net_qty BIGINT NOT NULL,
      avg_price DECIMAL(20,2) NOT NULL, PRIMARY KEY (ucc, instrument_id, product))
      ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    t0=$(now)
    mariadb --no-defaults --local-infile=1 -h 127.0.0.1 -P "$IRRA_BENCH_MYSQL_PORT" -uirra -pirra \
      irra_bench_load -e "LOAD DATA LOCAL INFILE '$dump/positions.csv' INTO TABLE sod_positions
        FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\n'
        IGNORE 1 LINES" || bench_die "LOAD DATA LOCAL INFILE failed"
    secs=$(since "$t0")
  fi
  printf '{"db":"%s","who":"own","run":%d,"seconds":%s}\n' "$db" "$2" "$secs" >> "$IRRA_BENCH_WORK/runs.jsonl"
  bench_say "own loader, $db, run $2: $secs s"
}

for db in "${dbs[@]}"; do
  for run in $(seq "$runs"); do
    # Alternate which goes first, so that neither always finds the caches warmer.
    if ((run % 2)); then irra_import "$db" "$run"; own_loader "$db" "$run"
    else own_loader "$db" "$run"; irra_import "$db" "$run"; fi
  done
done

python3 - "$IRRA_BENCH_WORK/runs.jsonl" "$IRRA_BENCH_OUT" "$clients" "$rows" << 'PY'
import json, statistics, sys
src, out, clients, rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
runs = [json.loads(l) for l in open(src) if l.strip()]
med = statistics.median
figures = []
for db, name, loader in (("sqlite", "SQLite", "sqlite3 .import"),
                         ("mariadb", "MariaDB", "LOAD DATA LOCAL INFILE")):
    mine = [r["seconds"] for r in runs if r["db"] == db and r["who"] == "irra"]
    own = [r["seconds"] for r in runs if r["db"] == db and r["who"] == "own"]
    if not mine:
        continue
    figures.append(dict(
        id=f"sod.{db}.import_s",
        label=f"SOD import, {clients:,} clients / {rows:,} positions, {name}",
        unit="s", better="lower", value=med(mine), runs=mine,
        baseline=dict(label=f"{loader} of positions.csv", value=med(own), runs=own),
        target=dict(op="<=", ratio=2.0, text="within 2x of the database's own bulk loader")))
json.dump(dict(section="sod", title="Start-of-day import", figures=figures, series={},
               info=dict(clients=clients, positions=rows,
                         reports=[r.get("report") for r in runs if r["who"] == "irra"]),
               notes=[]), open(out, "w"), indent=2)
PY
