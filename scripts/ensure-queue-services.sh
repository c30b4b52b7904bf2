#!/usr/bin/env bash
# Installs what the queue-mode tests and `npm run start:queue` need from Debian's packages, when missing:
# PostgreSQL's server binaries (/usr/lib/postgresql/<major>/bin) and redis-server. Nothing is started or
# enabled here: devkit/n8n/services.ts starts private instances on loopback ports and stops them again.
set -euo pipefail

missing=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && { echo "[queue] PostgreSQL and Redis are installed" >&2; exit 0; }

echo "[queue] installing ${missing[*]} from Debian's packages" >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
# A package's maintainer script must not start the system-wide service (policy-rc.d exit 101 = "not allowed").
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
	"${sudo[@]}" chmod +x "$policy"
	created_policy=1
fi
cleanup() { [ "$created_policy" -eq 1 ] && "${sudo[@]}" rm -f "$policy"; return 0; }
trap cleanup EXIT
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
	{ "${sudo[@]}" apt-get update >&2 && "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || { echo "[queue] PostgreSQL server binaries still missing" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "[queue] redis-server still missing" >&2; exit 1; }
