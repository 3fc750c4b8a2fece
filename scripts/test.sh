#!/usr/bin/env bash
# Runs the test suite: installs the system packages the tests use when they are missing (real
# Mosquitto, ALSA tools, espeak-ng, sox), then `bun test`, and prints "N passed, N failed" last in
# every mode (.ci/run reads that line).
#   scripts/test.sh                 everything (`npm test`): the fast tier, then test/e2e/
#   scripts/test.sh --tier unit     the fast tier: everything but test/e2e/ (`npm run test:unit`), in
#                                   ACOUPI_TEST_SHARDS (default 3) `bun test --shard` processes side by
#                                   side: its tests mostly wait (brokers, sockets), so 2 cores fit 3
#   scripts/test.sh --tier e2e      test/e2e/: the CLI, the binary, whole deployments, browsers (`npm run test:e2e`)
#   scripts/test.sh <paths...>      the given files or folders
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh || { echo "Could not install the system packages the tests need" >&2; exit 1; }

mkdir -p .tmp
BUN=./node_modules/.bin/bun
[ -x "$BUN" ] || { echo "Bun is not installed: run npm ci first" >&2; exit 1; }
summary() { # the closing line from bun's summaries in the given logs (summed over shards)
  local pass fail
  pass=$(cat "$@" | grep -Eo '^ *[0-9]+ pass$' | awk '{ s += $1 } END { print s + 0 }')
  fail=$(cat "$@" | grep -Eo '^ *[0-9]+ fail$' | awk '{ s += $1 } END { print s + 0 }')
  pass=${pass:-0}
  fail=${fail:-0}
  # A run that stops before bun's summary (a crash, no files found) still counts as failed.
  [ "$rc" -ne 0 ] && [ "$fail" = 0 ] && fail=1
  echo "$pass passed, $fail failed"
}

# The fast tier in ACOUPI_TEST_SHARDS `bun test --shard` processes side by side; sets rc and
# fills `logs`. test/unit-timings.json (per-file durations) balances the shards; bun's --parallel
# workers are not used: with ALSA and ORT workers they crashed (SIGSEGV) here, and they ignore
# bunfig's timeout.
unit_tier() {
  local files pids i shards=${ACOUPI_TEST_SHARDS:-3}
  mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/e2e/*' | sort)
  pids=()
  for i in $(seq 1 "$shards"); do
    "$BUN" test --shard="$i/$shards" --timings=test/unit-timings.json "${files[@]}" "$@" > ".tmp/test-shard-$i.log" 2>&1 &
    pids+=($!)
  done
  rc=0
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  logs=()
  for i in $(seq 1 "$shards"); do logs+=(".tmp/test-shard-$i.log"); echo "--- shard $i/$shards"; cat ".tmp/test-shard-$i.log"; done
}

if [ "${1:-}" = "--tier" ] && [ "${2:-}" = "unit" ]; then
  shift 2
  unit_tier "$@"
  summary "${logs[@]}"
  exit "$rc"
fi
# No arguments: both tiers, one after the other, and one closing line over both.
if [ "$#" -eq 0 ]; then
  unit_tier
  unit_rc=$rc
  "$BUN" test test/e2e 2>&1 | tee .tmp/test.log
  rc=${PIPESTATUS[0]}
  [ "$unit_rc" -ne 0 ] && rc=$unit_rc
  summary "${logs[@]}" .tmp/test.log
  exit "$rc"
fi
if [ "${1:-}" = "--tier" ]; then
  case "${2:-}" in
    e2e) shift 2; set -- test/e2e "$@" ;;
    *) echo "Unknown tier \"${2:-}\": use unit or e2e" >&2; echo "0 passed, 1 failed"; exit 2 ;;
  esac
fi
"$BUN" test "$@" 2>&1 | tee .tmp/test.log
rc=${PIPESTATUS[0]}
summary .tmp/test.log
exit "$rc"
