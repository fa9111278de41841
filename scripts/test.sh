#!/bin/sh
# Runs every test file, test/'s and the examples' own (Node 20's --test takes no globs), with tsx; extra args narrow to given files.
# Files run in parallel, one more than the CPUs (at most 8): much of a file's time is spent waiting on the processes it
# drives (AWS CLIs, functions, the CDK CLI), so one more keeps the CPUs busy. TEST_CONCURRENCY overrides.
# STRATUS_TEST_EXCLUDE: space-separated path prefixes to leave out of a full run (CI's second Node uses it).
set -e
if [ "$#" -gt 0 ]; then
  files="$*"
else
  files=$(find test examples -name '*.test.ts' -not -path '*/node_modules/*' | sort)
  for prefix in ${STRATUS_TEST_EXCLUDE:-}; do
    files=$(printf '%s\n' $files | grep -v "^$prefix" || true)
  done
fi
cpus=$(nproc 2>/dev/null || echo 2)
concurrency=${TEST_CONCURRENCY:-$((cpus + 1 > 8 ? 8 : cpus + 1))}
# --test-force-exit: a file whose tests are done ends even if something it started still holds the event loop, rather
# than holding the whole run (as test/services/cloudcontrol/resources.test.ts once did on Node 24 with the CLIs skipped:
# a test returned early after starting a server).
exec node --import tsx --test --test-force-exit --test-concurrency="$concurrency" $files
