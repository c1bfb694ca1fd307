#!/usr/bin/env bash
# Installs the named Debian packages that are not installed yet. Idempotent; a no-op when all are present.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "armorkit: missing system packages: ${missing[*]}" >&2
  echo "armorkit: install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "armorkit: installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# nginx, squid and haproxy (benchmark peers) start their daemons when installed, listening on every address; armorkit's
# tests and benchmarks start their own, bound where they say. policy-rc.d answering 101 ("forbidden") stops the starts.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
