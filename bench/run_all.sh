#!/bin/bash
# One run of every size at one commit, as bench/README.md's results were taken:
#   bench/run_all.sh [COMMIT] [OUT]
# A clean copy of COMMIT (git archive) with this checkout's virtualenv and freshly compiled
# catalogs; each database generated fresh (S, M on SQLite and PostgreSQL, L on PostgreSQL),
# bench.run per size, bench.profile for the growth S -> L, bench.demo_pages on both databases,
# then bench.cluster. Outputs (one file each, with load averages) in OUT. About 8 minutes on a
# quiet 2-core machine. Run it alone: other work on the machine moves every figure.
set -u
REPO=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
C=$(git -C "$REPO" rev-parse --short "${1:-HEAD}")
OUT=${2:-/tmp/bench-all-$C}
PG=${BENCH_PG:-postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench}
D=$(mktemp -d /tmp/bench-copy-XXXX)
trap 'rm -rf "$D"' EXIT
chmod 755 "$D"  # nginx's workers (another user) read the static files and write temporary files there
mkdir -p "$OUT"
git -C "$REPO" archive "$C" | tar -x -C "$D"
ln -s "$REPO/.venv" "$D/.venv"
(cd "$D" && .venv/bin/pybabel -q compile -d translations)
load() { cut -d' ' -f1-3 /proc/loadavg; }
note() { echo "== $* $(date -u +%H:%M:%S) load $(load)" | tee -a "$OUT/log"; }
size() {  # SIZE NAME URL
  note "$1 $2"
  (cd "$D" && /usr/bin/time -f "generate %e s" .venv/bin/python -m bench.generate --size "$1" \
    --database-url "$3" --reset) > "$OUT/gen-$1-$2.txt" 2>&1
  tail -1 "$OUT/gen-$1-$2.txt" >> "$OUT/log"
  echo "load before $(load)" > "$OUT/run-$1-$2.txt"
  (cd "$D" && .venv/bin/python -m bench.run --size "$1" --database-url "$3" --requests 60) \
    >> "$OUT/run-$1-$2.txt" 2>&1
  echo "load after $(load)" >> "$OUT/run-$1-$2.txt"
}
size S sqlite "sqlite:///$D/bench-S.db"
size M sqlite "sqlite:///$D/bench-M.db"
size S pg "${PG}_s"
size M pg "${PG}_m"
size L pg "${PG}_l"
PAGES="/board /board?site=lingen /projects /dashboard /dashboard?site=all /network"
PAGES="$PAGES /partner-requests /notifications /account/webhooks /dashboard/report"
for s in s m l; do
  note "profile $s"
  (cd "$D" && .venv/bin/python -m bench.profile --database-url "${PG}_$s" --repeat 10 $PAGES) \
    > "$OUT/profile-$s.txt" 2>&1
done
note "demo sqlite"
(cd "$REPO" && .venv/bin/python -m bench.demo_pages --commit "$C") > "$OUT/demo-sqlite.txt" 2>&1
echo "rc=$?" >> "$OUT/demo-sqlite.txt"
note "demo pg"
(cd "$REPO" && .venv/bin/python -m bench.demo_pages --commit "$C" --database-url "${PG}_demo") \
  > "$OUT/demo-pg.txt" 2>&1
echo "rc=$?" >> "$OUT/demo-pg.txt"
note "cluster"
(cd "$D" && .venv/bin/python -m bench.cluster --database-url "${PG}_cluster") \
  > "$OUT/cluster.txt" 2>&1
echo "rc=$?" >> "$OUT/cluster.txt"
note "done"
