#!/usr/bin/env bash
# Runs one group of the unit tests for ctest: BINARY GTEST_FILTER.
# Exits 77 (ctest's SKIP_RETURN_CODE) when every test passed but some were
# skipped (no moto_server, no sshd, no botocore...), so a skip never reads as
# a pass; the reasons are in $SPOTRUN_SKIP_FILE for scripts/test.sh.
set -u
bin=$1 filter=$2
: "${SPOTRUN_SKIP_FILE:?set by CMake}"
rm -f "$SPOTRUN_SKIP_FILE"
"$bin" --gtest_filter="$filter"
rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
if [ -s "$SPOTRUN_SKIP_FILE" ]; then
  echo "SKIP: $(wc -l < "$SPOTRUN_SKIP_FILE") test(s) skipped:"
  cat "$SPOTRUN_SKIP_FILE"
  exit 77
fi
exit 0
