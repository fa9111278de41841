#!/bin/sh
# Runs every test file (Node 20's --test takes no globs) with tsx; extra args narrow to given files.
set -e
if [ "$#" -gt 0 ]; then files="$*"; else files=$(find test -name '*.test.ts' | sort); fi
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" $files
