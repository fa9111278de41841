#!/bin/sh
# The test suite on a busy machine: a check run by hand (not part of `npm test`) that no test depends on the
# machine's speed. It starts one CPU-burning loop per core, runs `sh scripts/test.sh` under that load, reports
# pass or fail with the duration, and repeats:
#
#   scripts/test-loaded.sh            # once
#   scripts/test-loaded.sh 3          # three runs in a row
#   scripts/test-loaded.sh 2 test/services/sqs/messages.test.ts   # only these files, twice
#
# LOAD_BURNERS sets how many loops (default: the number of cores); LOAD_MAX_SECONDS bounds each loop's life
# (default 3600), so even a killed script leaves none behind for long; the loops also end when this script does.
# Each run's TAP output is kept in a log file named in the report. Exits 1 if any run failed.
set -u

runs=1
case "${1:-}" in
  '' ) ;;
  *[!0-9]* ) ;;
  * ) runs=$1; shift ;;
esac

cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
burners=${LOAD_BURNERS:-$cores}
max=${LOAD_MAX_SECONDS:-3600}
logdir=$(mktemp -d "${TMPDIR:-/tmp}/stratus-loaded.XXXXXX")

pids=""
testpid=""
stop_load() {
  for p in $pids; do kill "$p" 2>/dev/null; done
  for p in $pids; do wait "$p" 2>/dev/null; done
  pids=""
}
# The run goes in the background and is waited for, so a signal is handled at once (sh defers traps until a
# foreground command ends); interrupted, the script ends its own run and burners, by their ids.
stop_run() {
  if [ -n "$testpid" ]; then kill "$testpid" 2>/dev/null; testpid=""; fi
}
trap 'stop_load' EXIT
trap 'stop_run; stop_load; exit 130' INT
trap 'stop_run; stop_load; exit 143' TERM

start_load() {
  i=0
  while [ "$i" -lt "$burners" ]; do
    if command -v timeout >/dev/null 2>&1; then
      timeout "$max" sh -c 'while :; do :; done' &
    else
      sh -c 'while :; do :; done' &
    fi
    pids="$pids $!"
    i=$((i + 1))
  done
}

echo "test-loaded: $runs run(s), $burners CPU burner(s) on $cores core(s), logs in $logdir"
failed=0
n=1
while [ "$n" -le "$runs" ]; do
  log="$logdir/run-$n.tap"
  start_load
  t0=$(date +%s)
  sh scripts/test.sh "$@" >"$log" 2>&1 &
  testpid=$!
  wait "$testpid"
  rc=$?
  testpid=""
  t1=$(date +%s)
  stop_load
  pass=$(sed -n 's/^# pass //p' "$log" | tail -1)
  fail=$(sed -n 's/^# fail //p' "$log" | tail -1)
  skip=$(sed -n 's/^# skipped //p' "$log" | tail -1)
  cancelled=$(sed -n 's/^# cancelled //p' "$log" | tail -1)
  if [ "$rc" -eq 0 ]; then verdict=PASS; else verdict=FAIL; failed=$((failed + 1)); fi
  echo "run $n/$runs: $verdict in $((t1 - t0)) s (pass ${pass:-?}, fail ${fail:-?}, cancelled ${cancelled:-?}, skipped ${skip:-?}) — $log"
  if [ "$rc" -ne 0 ]; then grep -E '^\s*not ok' "$log" | grep -v '# SKIP' | sed 's/^/    /'; fi
  n=$((n + 1))
done

echo "test-loaded: $((runs - failed))/$runs run(s) passed under load"
[ "$failed" -eq 0 ]
