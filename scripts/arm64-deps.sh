#!/usr/bin/env bash
# Installs what running acoupi's arm64 binary under qemu-user needs, only when something is
# missing: qemu-user-static, and the arm64 glibc and libasound (Debian multiarch). Idempotent;
# a second run does nothing. Exits non-zero, saying why, when it cannot install (no root and no
# passwordless sudo, no apt, no network). Used by test/e2e/build/arm64.test.ts and CI.
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1; }
host=()
arm=()
have qemu-aarch64-static || host+=(qemu-user-static)
[ -e /lib/ld-linux-aarch64.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1 ] || arm+=(libc6:arm64)
[ -e /usr/lib/aarch64-linux-gnu/libasound.so.2 ] || [ -e /lib/aarch64-linux-gnu/libasound.so.2 ] || arm+=(libasound2:arm64)
[ ${#host[@]} -eq 0 ] && [ ${#arm[@]} -eq 0 ] && exit 0

have apt-get || { echo "arm64-deps: missing ${host[*]} ${arm[*]} and there is no apt-get to install them" >&2; exit 2; }
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if have sudo && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "arm64-deps: missing ${host[*]} ${arm[*]}; run this script as root (or with passwordless sudo)" >&2; exit 2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#arm[@]} -gt 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
fi
echo "arm64-deps: installing ${host[*]} ${arm[*]}" >&2
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${host[@]}" "${arm[@]}" >/dev/null
