#!/usr/bin/env bash
# Runs the test suite: installs the system packages the tests use when they are missing (real
# Mosquitto, ALSA tools, espeak-ng, sox), then `bun test`, and prints "N passed, N failed" last in
# every mode (.ci/run reads that line).
#   scripts/test.sh                 everything (`npm test`)
#   scripts/test.sh --tier unit     the fast tier: everything but test/e2e/ (`npm run test:unit`)
#   scripts/test.sh --tier e2e      test/e2e/: the CLI, the binary, whole deployments, browsers (`npm run test:e2e`)
#   scripts/test.sh <paths...>      the given files or folders
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh || { echo "Could not install the system packages the tests need" >&2; exit 1; }

mkdir -p .tmp
BUN=./node_modules/.bin/bun
[ -x "$BUN" ] || { echo "Bun is not installed: run npm ci first" >&2; exit 1; }
if [ "${1:-}" = "--tier" ]; then
  tier="${2:-}"
  shift 2
  case "$tier" in
    unit) mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/e2e/*' | sort) ;;
    e2e) files=(test/e2e) ;;
    *) echo "Unknown tier \"$tier\": use unit or e2e" >&2; echo "0 passed, 1 failed"; exit 2 ;;
  esac
  set -- "${files[@]}" "$@"
fi
"$BUN" test "$@" 2>&1 | tee .tmp/test.log
rc=${PIPESTATUS[0]}
pass=$(grep -Eo '^ *[0-9]+ pass' .tmp/test.log | tail -1 | grep -Eo '[0-9]+' || echo 0)
fail=$(grep -Eo '^ *[0-9]+ fail' .tmp/test.log | tail -1 | grep -Eo '[0-9]+' || echo 0)
# A run that stops before bun's summary (a crash, no files found) still counts as failed.
[ "$rc" -ne 0 ] && [ "${fail:-0}" = 0 ] && fail=1
echo "${pass:-0} passed, ${fail:-0} failed"
exit "$rc"
