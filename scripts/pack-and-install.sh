#!/usr/bin/env bash
# Builds and packs the pack (npm run build + npm pack into .e2e/pack/), then optionally installs the tarball into an
# n8n user folder as a community package: <USER_FOLDER>/.n8n/nodes/node_modules/n8n-nodes-itep, with --ignore-scripts,
# --legacy-peer-deps (no registry n8n-workflow pulled in as a peer), no package-lock. Prints the tarball path (pack)
# or the installed package folder (install) on stdout. Same code as the e2e harness (devkit/n8n/cli.ts).
# Usage: scripts/pack-and-install.sh [--no-build]                 pack only
#        scripts/pack-and-install.sh [--tarball FILE] USER_FOLDER  pack (unless --tarball) and install
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo_root"
tsx=(node_modules/.bin/tsx devkit/n8n/cli.ts)

build_flag=()
tarball=""
user_folder=""
while [ $# -gt 0 ]; do
	case "$1" in
	--no-build) build_flag=(--no-build) ;;
	--tarball) tarball=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift ;;
	-h | --help) sed -n '2,9p' "$0"; exit 0 ;;
	*) user_folder=$1 ;;
	esac
	shift
done

if [ -z "$tarball" ]; then
	tarball=$("${tsx[@]}" pack "${build_flag[@]}")
fi
if [ -z "$user_folder" ]; then
	printf '%s\n' "$tarball"
	exit 0
fi
mkdir -p "$user_folder"
"${tsx[@]}" install "$(cd "$user_folder" && pwd)" --tarball "$tarball"
