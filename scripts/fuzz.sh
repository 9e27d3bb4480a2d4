#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzzer.cc) with clang in build-fuzz/
# and runs each in turn, one process on one core, for SECONDS (default 60).
# Prints, per target, the seconds, the executions and the result; exits 1 if
# any target crashed, leaked, timed out or ran out of memory (the input that
# did it is kept under build-fuzz/artifacts/TARGET/).
#
#   scripts/fuzz.sh [--ctest] [SECONDS]
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_TARGETS (names such
# as "job_spec trace", default all), FUZZ_CXX (default clang++), FUZZ_JOBS
# (build jobs, default 2).
# --ctest: when clang++ or libFuzzer is missing, print "SKIP: <reason>",
# append the reason to $SPOTRUN_SKIP_FILE (when set) and exit 77; without it
# a missing tool is an error (exit 1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

ctest_mode=0
if [[ "${1:-}" == "--ctest" ]]; then
  ctest_mode=1
  shift
fi
seconds="${1:-60}"
if [[ ! "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [--ctest] [SECONDS]   (SECONDS: a positive integer, not '$seconds')" >&2
  exit 2
fi
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
cxx="${FUZZ_CXX:-clang++}"

# Fails (or skips, under --ctest) when $cxx cannot build a libFuzzer target.
check_toolchain() {
  local reason="" probe
  if ! command -v "$cxx" >/dev/null 2>&1; then
    reason="$cxx not found (Debian: apt-get install clang libclang-rt-14-dev)"
  else
    probe="$(mktemp -d)"
    echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
      >"$probe/probe.cc"
    if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/probe.cc" -o "$probe/probe" \
      >"$probe/log" 2>&1; then
      reason="$cxx cannot link -fsanitize=fuzzer (Debian: apt-get install libclang-rt-14-dev)"
    fi
    rm -rf "$probe"
  fi
  [[ -z "$reason" ]] && return 0
  if ((ctest_mode)); then
    echo "SKIP: fuzz: $reason"
    [[ -n "${SPOTRUN_SKIP_FILE:-}" ]] && echo "fuzz: $reason" >>"$SPOTRUN_SKIP_FILE"
    exit 77
  fi
  echo "fuzz.sh: $reason" >&2
  exit 1
}

build_targets() {
  cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSPOTRUN_FUZZ=ON -DSPOTRUN_BUILD_TESTS=OFF -DSPOTRUN_BUILD_BENCH=OFF >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; exit 1; }
  cmake --build "$build" --target fuzzers -j"${FUZZ_JOBS:-2}" >"$build/build.log" 2>&1 ||
    { tail -n 40 "$build/build.log" >&2; exit 1; }
}

all_targets() {
  local src
  for src in "$root"/fuzz/*_fuzzer.cc; do
    src="$(basename "$src")"
    echo "${src%_fuzzer.cc}"
  done
}

# Runs one target; prints its line and returns 1 on a finding.
run_target() {
  local name="$1" bin="$build/fuzz/fuzz_$1" work="$build/corpus/$1" art="$build/artifacts/$1"
  local log="$build/logs/$1.log" rc=0 execs
  mkdir -p "$work" "$art" "$build/logs"
  timeout $((seconds + 120)) "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$art/" "$work" "$root/fuzz/corpus/$name" \
    >"$log" 2>&1 || rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  if ((rc == 0)); then
    printf '%-20s %4s s %10s executions  ok\n' "$name" "$seconds" "${execs:-?}"
    return 0
  fi
  printf '%-20s %4s s %10s executions  FAILED (exit %d; log %s)\n' \
    "$name" "$seconds" "${execs:-?}" "$rc" "$log"
  grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)|runtime error' "$log" |
    head -n 8 | sed 's/^/    /'
  return 1
}

check_toolchain
mkdir -p "$build"
build_targets
failed=0
for name in ${FUZZ_TARGETS:-$(all_targets)}; do
  run_target "$name" || failed=1
done
exit "$failed"
