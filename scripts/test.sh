#!/usr/bin/env bash
# Runs the whole test suite: installs the system packages the tests use when they are missing
# (real Mosquitto, ALSA tools, espeak-ng, sox), then `bun test`, and prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-deps.sh || { echo "Could not install the system packages the tests need" >&2; exit 1; }

mkdir -p .tmp
BUN=./node_modules/.bin/bun
[ -x "$BUN" ] || { echo "Bun is not installed: run npm ci first" >&2; exit 1; }
"$BUN" test "$@" 2>&1 | tee .tmp/test.log
rc=${PIPESTATUS[0]}
pass=$(grep -Eo '^ *[0-9]+ pass' .tmp/test.log | tail -1 | grep -Eo '[0-9]+' || echo 0)
fail=$(grep -Eo '^ *[0-9]+ fail' .tmp/test.log | tail -1 | grep -Eo '[0-9]+' || echo 0)
echo "${pass:-0} passed, ${fail:-0} failed"
exit "$rc"
