#!/usr/bin/env bash
# Every SkyPilot task file under tests/data/skypilot/ has the outcome its row
# of expectations.txt states: `launch --dry-run` plans it on the local cloud
# or on aws (against a loopback moto_server) with the expected first offer, or
# refuses it in one line naming its field, with exit status 2. Then `spotrun
# convert` of each planned file dry-runs to the same plan.
source "$(dirname "$0")/lib.sh"
# The local cloud offers only the GPUs this machine has: a fake nvidia-smi
# gives it those the GPU rows ask for, so they plan as on such a machine.
export PATH="$SPOTRUN_SOURCE_DIR/tests/integration/fake-bin:$PATH"
gpus=()
for _ in 1 2 3 4 5 6 7 8; do gpus+=("NVIDIA H100 80GB HBM3" "NVIDIA A100-SXM4-40GB"); done
gpus+=("Tesla V100-SXM2-16GB" "NVIDIA L4" "NVIDIA A10G" "Tesla T4")
FAKE_NVIDIA_SMI_GPUS=$(IFS=,; echo "${gpus[*]}")
export FAKE_NVIDIA_SMI_GPUS
source "$SPOTRUN_SOURCE_DIR/tests/integration/aws_lib.sh"

# The aws rows plan with the images spotrun picks by default (Ubuntu, from
# Canonical), as they are in every region.
start_moto MOTO_AMIS_PATH="$SPOTRUN_SOURCE_DIR/tests/data/ec2/amis-realistic.json"
data=$SPOTRUN_SOURCE_DIR/tests/data/skypilot
cd "$data"  # SkyPilot resolves workdir and file_mounts against the current directory.

# The plan of a dry run: the cloud line and the table, notes (stderr) aside.
plan_of() { grep -E '^spotrun: job |^  [0-9]+ |wins:' "$1"; }

# Strips the blanks around a field (xargs would also eat its quotes).
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; echo "${s%"${s##*[![:space:]]}"}"; }

checked=0
while IFS='|' read -r file outcome detail args; do
  file=$(trim "$file"); outcome=$(trim "$outcome"); detail=$(trim "$detail")
  case "$file" in ''|'#'*) continue ;; esac
  [ -f "$file" ] || fail "$file is in expectations.txt but not in $data"
  out=$TEST_TMP/$file.out err=$TEST_TMP/$file.err
  rc=0
  # shellcheck disable=SC2086
  spotrun launch "$file" --dry-run $args > "$out" 2> "$err" || rc=$?
  case "$outcome" in
    refuse)
      [ "$rc" = 2 ] || fail "$file: exit $rc, want 2 (refused): $(cat "$out" "$err")"
      [ "$(wc -l < "$err")" = 1 ] || fail "$file: the refusal is not one line: $(cat "$err")"
      grep -qE "^spotrun: $file:[0-9]+:[0-9]+: " "$err" || fail "$file: refusal names no file:line: $(cat "$err")"
      grep -qF "$detail" "$err" || fail "$file: refusal does not name '$detail': $(cat "$err")"
      [ ! -s "$out" ] || fail "$file: a refused file printed a plan"
      ;;
    local|aws)
      [ "$rc" = 0 ] || fail "$file: exit $rc: $(cat "$err" "$out")"
      grep -q "on the $outcome cloud" "$out" || fail "$file: not planned on the $outcome cloud: $(cat "$out")"
      read -r type market <<< "$detail"
      grep -qE "^  1 +$type +[^ ]+ +$market " "$out" ||
        fail "$file: first offer is not $type $market: $(cat "$out")"
      # The converted file plans the same.
      converted=$TEST_TMP/${file%.yaml}.spotrun.yaml
      # shellcheck disable=SC2086
      spotrun convert "$file" $args > "$converted" || fail "$file: convert failed"
      rc=0
      conv_args=${args//--format skypilot/}  # The converted file is spotrun's.
      # shellcheck disable=SC2086
      spotrun launch "$converted" --dry-run $conv_args > "$out.conv" 2> "$err.conv" || rc=$?
      [ "$rc" = 0 ] || fail "$file: the converted file does not dry-run: $(cat "$err.conv")"
      diff <(plan_of "$out") <(plan_of "$out.conv") > "$TEST_TMP/diff" ||
        fail "$file: the converted file plans differently: $(cat "$TEST_TMP/diff")"
      ;;
    *) fail "$file: unknown outcome '$outcome'" ;;
  esac
  checked=$((checked + 1))
done < expectations.txt

# Every task file has a row.
for f in *.yaml; do
  grep -qE "^$f *\|" expectations.txt || fail "$f has no row in expectations.txt"
done
[ "$checked" -ge 25 ] || fail "only $checked task files checked"
pass "skypilot task files ($checked)"
