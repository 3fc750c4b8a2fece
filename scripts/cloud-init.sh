#!/usr/bin/env bash
# Renders the cloud-init user-data that provisions one sensor on its first boot (Raspberry Pi OS
# images that use cloud-init read `user-data` from the SD card's boot partition): it installs
# acoupi with the verified installer, writes this device's configuration (the fleet template with
# @DEVICE_ID@ replaced) and starts recording as the given user, with no SSH to the sensor.
# docs/install.md, "A fleet from the first boot", walks through it.
#
#   scripts/cloud-init.sh --device-id sensor-07 --config fleet.json --program default \
#     --release-url https://example.org/acoupi/1.2.0 --pubkey-file acoupi-release.pub \
#     [--user pi] [--name '@DEVICE_ID@ spring'] [--latitude 51.5 --longitude -0.1] > user-data
#
# In the template (and in --name), @DEVICE_ID@ stands for the device id: e.g. an MQTT client id or
# a topic of its own. Everything else is the same for every device.
set -euo pipefail
die() { echo "cloud-init.sh: $*" >&2; exit 1; }

id="" config="" program="" url="" key="" user="pi" name="@DEVICE_ID@" lat="" lon=""
while [ $# -gt 0 ]; do
  case "$1" in
    --device-id) id="${2:-}"; shift 2 ;;
    --config) config="${2:-}"; shift 2 ;;
    --program) program="${2:-}"; shift 2 ;;
    --release-url) url="${2:-}"; shift 2 ;;
    --pubkey) key="${2:-}"; shift 2 ;;
    --pubkey-file) [ -r "${2:-}" ] || die "cannot read --pubkey-file ${2:-}"; key="$(cat "$2")"; shift 2 ;;
    --user) user="${2:-}"; shift 2 ;;
    --name) name="${2:-}"; shift 2 ;;
    --latitude) lat="${2:-}"; shift 2 ;;
    --longitude) lon="${2:-}"; shift 2 ;;
    *) die "unknown option $1 (see the comment at the top of this script)" ;;
  esac
done
[[ "$id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ ]] || die "--device-id \"$id\" must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit"
[ -n "$config" ] && [ -r "$config" ] || die "--config names no readable file: give the fleet template (a program.json, see docs/fleet.md)"
[[ "$program" =~ ^[A-Za-z0-9._/-]+$ ]] || die "--program is required: the program the template configures (default, connected, detection, ...)"
[[ "$url" =~ ^https?://[^[:space:]\'\"]+$ ]] || die "--release-url must be the http(s) URL of the release folder (it holds install.sh and SHA256SUMS)"
key="$(printf '%s' "$key" | cut -d' ' -f1,2)"
[[ "$key" =~ ^(ssh-[a-z0-9-]+|ecdsa-[a-z0-9-]+)\ [A-Za-z0-9+/=]+$ ]] || die "--pubkey or --pubkey-file must give the release public key (docs/install.md)"
[[ "$user" =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die "--user \"$user\" is not a user name"
[ -z "$lat$lon" ] || [[ "$lat $lon" =~ ^-?[0-9.]+\ -?[0-9.]+$ ]] || die "--latitude and --longitude must be given together, as decimal degrees"
name="${name//@DEVICE_ID@/$id}"
[[ "$name" =~ ^[^\'\"\\$\`]+$ ]] || die "--name must not hold quotes, backslashes, \$ or backticks"
command -v jq >/dev/null 2>&1 && { jq -e . "$config" >/dev/null 2>&1 || die "$config is not valid JSON"; }

indent() { sed 's/^/      /'; }
coords=""
[ -n "$lat" ] && coords=" --latitude $lat --longitude $lon"

cat <<EOF
#cloud-config
# acoupi first boot for device $id (rendered by scripts/cloud-init.sh)
hostname: $id
write_files:
  - path: /etc/acoupi/fleet.json
    permissions: "0600"
    content: |
$(sed "s/@DEVICE_ID@/$id/g" "$config" | indent)
  - path: /etc/acoupi/first-boot.sh
    permissions: "0700"
    content: |
$(indent <<SCRIPT
#!/bin/bash
# Installs acoupi (verified), configures device $id and starts recording as $user.
set -euo pipefail
URL='$url'
KEY='$key'
work="\$(mktemp -d)"
cd "\$work"
for f in SHA256SUMS SHA256SUMS.sig install.sh; do curl -fsSL --retry 5 --retry-connrefused -o "\$f" "\$URL/\$f"; done
echo "acoupi-release \$KEY" > allowed_signers
ssh-keygen -Y verify -f allowed_signers -I acoupi-release -n acoupi-release -s SHA256SUMS.sig < SHA256SUMS
grep '  install.sh\$' SHA256SUMS | sha256sum -c -
ACOUPI_RELEASE_URL="\$URL" ACOUPI_RELEASE_PUBKEY="\$KEY" bash install.sh
install -d -o $user -g $user /home/$user/.acoupi
install -o $user -g $user -m 0600 /etc/acoupi/fleet.json /home/$user/.acoupi/fleet.json
loginctl enable-linger $user
uid="\$(id -u $user)"
systemctl start "user@\$uid.service"
as_user() { runuser -u $user -- env HOME=/home/$user XDG_RUNTIME_DIR=/run/user/\$uid "\$@"; }
as_user /usr/local/bin/acoupi setup --program '$program' --config /home/$user/.acoupi/fleet.json --no-prompt --device-id '$id'
as_user /usr/local/bin/acoupi start --name '$name'$coords
rm -rf "\$work"
SCRIPT
)
runcmd:
  - [/etc/acoupi/first-boot.sh]
EOF
