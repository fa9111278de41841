#!/bin/sh
# Runs every test file, test/'s and the examples' own (Node 20's --test takes no globs), with tsx; extra args narrow to given files.
set -e
if [ "$#" -gt 0 ]; then files="$*"; else files=$(find test examples -name '*.test.ts' -not -path '*/node_modules/*' | sort); fi
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" $files
