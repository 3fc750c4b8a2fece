#!/usr/bin/env bash
# Makes a release into OUTDIR, the same steps here as in CI (.github/workflows/release.yml):
#   1. builds acoupi-linux-x64 and acoupi-linux-arm64 with build.ts, stamped with the version
#      (from the tag) and the commit, with the release public key built in for `self-update`;
#   2. smoke-tests both: x64 natively, arm64 under qemu-user as a Pi 3 (cortex-a53): --version,
#      setup, check and a task run of the test program;
#   3. writes acoupi-linux-arm64.xz, acoupi-linux-x64.xz, install.sh and VERSION;
#   4. writes SHA256SUMS over them and SHA256SUMS.sig, made with `ssh-keygen -Y sign`
#      (namespace acoupi-release), then verifies that signature with the public key.
#
# Environment:
#   ACOUPI_RELEASE_KEY_FILE  the private signing key (OpenSSH format, no passphrase), or
#   ACOUPI_RELEASE_KEY       its text (what CI passes from a secret)
#   ACOUPI_VERSION           the version; else the tag (GITHUB_REF_NAME, or `git describe
#                            --exact-match`) without its "v"; else package.json's version
#   ACOUPI_XZ_LEVEL          xz preset, default 6 (the tests use 0: faster, bigger)
#   ACOUPI_SMOKE_ARM64=0     skip the qemu smoke test (it needs scripts/arm64-deps.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUTDIR="${1:-}"
[ -n "$OUTDIR" ] || { echo "usage: scripts/release.sh OUTDIR" >&2; exit 2; }
BUN="${BUN:-$ROOT/node_modules/.bin/bun}"
[ -x "$BUN" ] || { echo "release: Bun is not installed: run npm ci first" >&2; exit 1; }
for tool in xz ssh-keygen sha256sum; do
  command -v "$tool" >/dev/null || { echo "release: $tool is missing (Debian: xz-utils, openssh-client, coreutils)" >&2; exit 1; }
done

version="${ACOUPI_VERSION:-}"
if [ -z "$version" ] && [ "${GITHUB_REF_TYPE:-}" = "tag" ]; then version="${GITHUB_REF_NAME:-}"; fi
if [ -z "$version" ]; then version="$(git -C "$ROOT" describe --tags --exact-match 2>/dev/null || true)"; fi
if [ -z "$version" ]; then version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$ROOT/package.json" | head -1)"; fi
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || {
  echo "release: \"$version\" is not a version such as 1.2.0: tag the commit v1.2.0 or set ACOUPI_VERSION" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077
if [ -n "${ACOUPI_RELEASE_KEY_FILE:-}" ]; then
  [ -r "$ACOUPI_RELEASE_KEY_FILE" ] || { echo "release: cannot read ACOUPI_RELEASE_KEY_FILE=$ACOUPI_RELEASE_KEY_FILE" >&2; exit 1; }
  cp "$ACOUPI_RELEASE_KEY_FILE" "$work/key"
elif [ -n "${ACOUPI_RELEASE_KEY:-}" ]; then
  printf '%s\n' "$ACOUPI_RELEASE_KEY" > "$work/key"
else
  echo "release: no signing key: set ACOUPI_RELEASE_KEY_FILE (a file) or ACOUPI_RELEASE_KEY (its text, from a CI secret)" >&2; exit 1
fi
chmod 600 "$work/key"
ssh-keygen -y -f "$work/key" > "$work/key.pub" 2>/dev/null || {
  echo "release: the signing key is not an OpenSSH private key without a passphrase" >&2; exit 1; }
umask 022

echo "release: acoupi $version" >&2
"$BUN" "$ROOT/build.ts" --target x64,arm64 --no-xz --outdir "$work/bin" --version "$version" --release-key "$work/key.pub" >&2

smoke() { # smoke LABEL BINARY [qemu prefix...]
  local label="$1" binary="$2"; shift 2
  local home; home="$(mktemp -d)"
  local env=(env "HOME=$home" "ACOUPI_HOME=$home/.acoupi" ACOUPI_SYSTEMD=0 NO_COLOR=1)
  local out
  out="$("${env[@]}" "$@" "$binary" --version)"
  case "$out" in "acoupi $version ("*) ;; *) echo "release: $label --version printed \"$out\", not acoupi $version" >&2; rm -rf "$home"; return 1 ;; esac
  (cd "$home" && "${env[@]}" "$@" "$binary" setup --program test --no-prompt >/dev/null \
    && "${env[@]}" "$@" "$binary" check >/dev/null \
    && "${env[@]}" "$@" "$binary" task run test_task | tail -1 | grep -q '"test_program"') \
    || { echo "release: the $label smoke test failed (setup, check, task run test_task)" >&2; rm -rf "$home"; return 1; }
  rm -rf "$home"
  echo "release: $label smoke test passed ($out)" >&2
}
smoke x64 "$work/bin/acoupi-linux-x64"
if [ "${ACOUPI_SMOKE_ARM64:-1}" = "1" ]; then
  bash "$ROOT/scripts/arm64-deps.sh" >&2
  smoke "arm64 (qemu, cortex-a53)" "$work/bin/acoupi-linux-arm64" env QEMU_CPU=cortex-a53 qemu-aarch64-static
else
  echo "release: ACOUPI_SMOKE_ARM64=0: the arm64 binary was not smoke-tested" >&2
fi

mkdir -p "$OUTDIR"
for arch in x64 arm64; do
  xz -T0 "-${ACOUPI_XZ_LEVEL:-6}" -c "$work/bin/acoupi-linux-$arch" > "$OUTDIR/.acoupi-linux-$arch.xz.part"
  mv "$OUTDIR/.acoupi-linux-$arch.xz.part" "$OUTDIR/acoupi-linux-$arch.xz"
done
# The published install.sh carries the release key, so `curl .../install.sh | bash` needs no other.
sed "s|@ACOUPI_RELEASE_PUBKEY@|$(cut -d' ' -f1,2 "$work/key.pub")|" "$ROOT/scripts/install.sh" > "$OUTDIR/install.sh"
chmod 0755 "$OUTDIR/install.sh"
printf '%s\n' "$version" > "$OUTDIR/VERSION"
install -m 0644 "$work/key.pub" "$OUTDIR/acoupi-release.pub"
(cd "$OUTDIR" && sha256sum acoupi-linux-arm64.xz acoupi-linux-x64.xz install.sh VERSION > SHA256SUMS)
rm -f "$OUTDIR/SHA256SUMS.sig"
ssh-keygen -q -Y sign -f "$work/key" -n acoupi-release "$OUTDIR/SHA256SUMS" >/dev/null 2>"$work/sign.err" || {
  cat "$work/sign.err" >&2; echo "release: signing SHA256SUMS failed" >&2; exit 1; }
printf 'acoupi-release %s\n' "$(cut -d' ' -f1,2 "$work/key.pub")" > "$work/allowed_signers"
ssh-keygen -Y verify -f "$work/allowed_signers" -I acoupi-release -n acoupi-release -s "$OUTDIR/SHA256SUMS.sig" \
  < "$OUTDIR/SHA256SUMS" >&2
echo "release: $OUTDIR holds acoupi $version: $(cd "$OUTDIR" && ls | tr '\n' ' ')" >&2
