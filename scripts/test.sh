#!/usr/bin/env bash
# Runs the whole test suite: installs the system packages the tests use when they are missing
# (real Mosquitto, ALSA tools, espeak-ng, sox), then `bun test`, and prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh || { echo "Could not install the system packages the tests need" >&2; exit 1; }

mkdir -p .tmp
BUN=./node_modules/.bin/bun
[ -x "$BUN" ] || { echo "Bun is not installed: run npm ci first" >&2; exit 1; }
# `--tier unit`: everything but test/reliability/ and test/build/ (the inner loop; the whole suite
# stays `npm test`).
if [ "${1:-}" = "--tier" ] && [ "${2:-}" = "unit" ]; then
  shift 2
  mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/reliability/*' -not -path 'test/build/*' | sort)
  set -- "${files[@]}" "$@"
fi
"$BUN" test "$@" 2>&1 | tee .tmp/test.log
rc=${PIPESTATUS[0]}
pass=$(grep -Eo '^ *[0-9]+ pass' .tmp/test.log | tail -1 | grep -Eo '[0-9]+' || echo 0)
fail=$(grep -Eo '^ *[0-9]+ fail' .tmp/test.log | tail -1 | grep -Eo '[0-9]+' || echo 0)
echo "${pass:-0} passed, ${fail:-0} failed"
exit "$rc"
