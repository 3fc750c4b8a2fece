#!/usr/bin/env bash
# Installs acoupi from a release, verified: on a Pi, one command (docs/install.md):
#   curl -fsSL "$ACOUPI_RELEASE_URL/install.sh" | ACOUPI_RELEASE_URL=... sudo -E bash
#
# It detects the architecture (64-bit ARM or x86 only; a 32-bit system is refused, naming the
# OS to use), downloads acoupi-linux-<arch>.xz, SHA256SUMS and SHA256SUMS.sig, checks the
# signature with `ssh-keygen -Y verify` against the release key and the checksum with
# sha256sum, and only then replaces the binary, atomically (a temp file in the same folder,
# renamed). A binary that fails any check is never installed, and the installed one is left as
# it was. Running it again with the same release changes nothing.
#
# Environment:
#   ACOUPI_RELEASE_URL     where the release files are (required: no public location is known here)
#   ACOUPI_FROM            a folder holding the release files instead (offline, e.g. a USB stick)
#   ACOUPI_INSTALL_DIR     where the binary goes; default /usr/local/bin (the file is <dir>/acoupi)
#   ACOUPI_RELEASE_PUBKEY  the release public key (an OpenSSH key line); default: the key built
#                          into this script by the release, which docs/install.md lists
#   ACOUPI_SERVICE         user | system: also install the systemd unit (`acoupi service install`)
set -euo pipefail

RELEASE_KEY_BUILT_IN='@ACOUPI_RELEASE_PUBKEY@'
NAMESPACE=acoupi-release

say() { printf 'acoupi install: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

arch_of() {
  local machine bits
  machine="$(uname -m)"
  bits="$(getconf LONG_BIT 2>/dev/null || echo 64)"
  case "$machine" in
    aarch64 | arm64) [ "$bits" = 64 ] && { echo arm64; return; } ;;
    x86_64 | amd64) [ "$bits" = 64 ] && { echo x64; return; } ;;
  esac
  case "$machine" in
    armv6l | armv7l | armv8l | armhf | arm | aarch64 | arm64)
      die "this is a 32-bit system (uname -m: $machine, $bits-bit userland). acoupi needs a 64-bit OS: install Raspberry Pi OS (64-bit) with Raspberry Pi Imager, on a Pi 3, 4, 5 or Zero 2 W (a Pi 1, 2 or Zero W cannot run it)" ;;
    i386 | i486 | i586 | i686 | x86_64 | amd64)
      die "this is a 32-bit system (uname -m: $machine, $bits-bit userland). acoupi needs a 64-bit OS (amd64)" ;;
    *) die "unsupported architecture \"$machine\": acoupi is built for 64-bit ARM (Raspberry Pi OS 64-bit) and x86-64 Linux" ;;
  esac
}

fetch() { # fetch NAME DEST
  if [ -n "${ACOUPI_FROM:-}" ]; then
    [ -f "$ACOUPI_FROM/$1" ] || die "$ACOUPI_FROM/$1 is missing: copy every release file (acoupi-linux-*.xz, SHA256SUMS, SHA256SUMS.sig) to that folder"
    cp "$ACOUPI_FROM/$1" "$2"
  elif command -v curl >/dev/null; then
    curl -fsSL --retry 3 -o "$2" "$ACOUPI_RELEASE_URL/$1" || die "cannot download $ACOUPI_RELEASE_URL/$1"
  elif command -v wget >/dev/null; then
    wget -q -O "$2" "$ACOUPI_RELEASE_URL/$1" || die "cannot download $ACOUPI_RELEASE_URL/$1"
  else
    die "neither curl nor wget is installed: sudo apt install curl"
  fi
}

main() {
  local arch dir dest key name version
  arch="$(arch_of)"
  if [ -z "${ACOUPI_FROM:-}" ]; then
    [ -n "${ACOUPI_RELEASE_URL:-}" ] || die "ACOUPI_RELEASE_URL is not set: set it to the folder that holds the release files (see docs/install.md), or ACOUPI_FROM to a local folder"
    ACOUPI_RELEASE_URL="${ACOUPI_RELEASE_URL%/}"
  fi
  for tool in ssh-keygen sha256sum xz; do
    command -v "$tool" >/dev/null || die "$tool is missing: sudo apt install openssh-client coreutils xz-utils"
  done
  key="${ACOUPI_RELEASE_PUBKEY:-$RELEASE_KEY_BUILT_IN}"
  case "$key" in
    ssh-* | ecdsa-*) ;;
    *) die "no release public key: set ACOUPI_RELEASE_PUBKEY to the key docs/install.md lists" ;;
  esac
  dir="${ACOUPI_INSTALL_DIR:-/usr/local/bin}"
  dest="$dir/acoupi"
  name="acoupi-linux-$arch.xz"

  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  fetch SHA256SUMS "$work/SHA256SUMS"
  fetch SHA256SUMS.sig "$work/SHA256SUMS.sig"
  printf '%s %s\n' "$NAMESPACE" "$(printf '%s' "$key" | cut -d' ' -f1,2)" > "$work/allowed_signers"
  ssh-keygen -Y verify -f "$work/allowed_signers" -I "$NAMESPACE" -n "$NAMESPACE" -s "$work/SHA256SUMS.sig" \
    < "$work/SHA256SUMS" > "$work/verify.log" 2>&1 \
    || die "the signature of SHA256SUMS does not verify with the acoupi release key: these files are not an acoupi release (or were altered). Nothing was installed"
  grep -q "  $name\$" "$work/SHA256SUMS" || die "SHA256SUMS lists no $name: this release has no build for $arch. Nothing was installed"
  fetch "$name" "$work/$name"
  (cd "$work" && grep "  $name\$" SHA256SUMS | sha256sum -c --status) \
    || die "$name does not match its checksum in SHA256SUMS (tampered or truncated download). Nothing was installed"
  xz -dc "$work/$name" > "$work/acoupi" || die "$name does not decompress. Nothing was installed"
  # The ELF header's machine field: a binary for the other architecture is refused by name even
  # where binfmt_misc and qemu would run it.
  local machine want
  machine="$(od -An -tx1 -j18 -N2 "$work/acoupi" | tr -d ' \n')"
  case "$arch" in arm64) want=b700 ;; x64) want=3e00 ;; esac
  if [ "$machine" != "$want" ]; then
    case "$machine" in b700) machine=arm64 ;; 3e00) machine=x64 ;; *) machine="an unknown machine ($machine)" ;; esac
    die "$name holds a binary built for $machine, not for this $arch system. Nothing was installed"
  fi
  chmod 0755 "$work/acoupi"
  version="$("$work/acoupi" --version 2>&1)" || die "the downloaded binary does not run here ($version). Nothing was installed"

  if [ -f "$dest" ] && cmp -s "$work/acoupi" "$dest"; then
    say "$version is already installed at $dest; nothing changed"
  else
    mkdir -p "$dir" || die "cannot create $dir: run with sudo, or set ACOUPI_INSTALL_DIR to a folder you own"
    cp "$work/acoupi" "$dir/.acoupi.install-$$" 2>/dev/null || { rm -f "$dir/.acoupi.install-$$"; die "cannot write to $dir (permission, or the disk is full): run with sudo, or set ACOUPI_INSTALL_DIR. Nothing was changed"; }
    chmod 0755 "$dir/.acoupi.install-$$"
    sync "$dir/.acoupi.install-$$" 2>/dev/null || sync
    mv -f "$dir/.acoupi.install-$$" "$dest"
    say "installed $version at $dest"
  fi

  case "${ACOUPI_SERVICE:-}" in
    "") ;;
    user | system) "$dest" service install "--$ACOUPI_SERVICE" ;;
    *) die "ACOUPI_SERVICE=\"$ACOUPI_SERVICE\": use user or system" ;;
  esac
  case ":$PATH:" in *":$dir:"*) ;; *) say "$dir is not on your PATH: run $dest, or add $dir to PATH" ;; esac
  say "next: acoupi setup --program default (docs/install.md)"
}

main "$@"
