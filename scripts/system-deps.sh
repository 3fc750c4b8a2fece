#!/usr/bin/env bash
# Installs the Debian packages acoupi's tests and demo use, only when something is missing.
# libasound2: the real ALSA library; alsa-utils: arecord (reference capture);
# mosquitto(-clients): the real broker; espeak-ng + sox: speech clips for the VAD tests;
# openssl: test certificates; fusefat, exfat-fuse, dosfstools, exfatprogs: FAT32/exFAT images for the backup tests (through FUSE); chromium: the web page's browser test (driven by playwright-core); faketime: the clock-jump tests; python3: the sd_notify listener; sqlite3: the bench reference; strace: the fsync counts; qemu-user-static: arm64 checks; openssh-client (ssh-keygen -Y) and curl: the release, install and self-update tests.
set -euo pipefail
missing=()
have() { command -v "$1" >/dev/null 2>&1; }
have mosquitto || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
have mosquitto_passwd || missing+=(mosquitto)
have mosquitto_sub || missing+=(mosquitto-clients)
have arecord || missing+=(alsa-utils)
have espeak-ng || missing+=(espeak-ng)
have sox || missing+=(sox)
have openssl || missing+=(openssl)
have sqlite3 || missing+=(sqlite3)
have xz || missing+=(xz-utils)
have faketime || missing+=(faketime)
have python3 || missing+=(python3)
[ -x /usr/bin/chromium ] || missing+=(chromium)
have strace || missing+=(strace)
have ssh-keygen || missing+=(openssh-client)
have curl || missing+=(curl)
have fusefat || missing+=(fusefat)
have mount.exfat-fuse || [ -x /usr/sbin/mount.exfat-fuse ] || missing+=(exfat-fuse)
have mkfs.vfat || [ -x /usr/sbin/mkfs.vfat ] || missing+=(dosfstools)
have mkfs.exfat || [ -x /usr/sbin/mkfs.exfat ] || missing+=(exfatprogs)
ls /usr/lib/*/libasound.so.2 >/dev/null 2>&1 || missing+=(libasound2)
if [ "${ACOUPI_ARM64_TESTS:-1}" = "1" ]; then have qemu-aarch64-static || missing+=(qemu-user-static); fi
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
