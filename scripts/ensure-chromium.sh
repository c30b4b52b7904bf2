#!/usr/bin/env bash
# Makes sure the Chromium that the browser e2e test (test/e2e/browser.e2e.test.ts) drives is installed:
# Debian's `chromium` package, /usr/bin/chromium. Playwright's own browser download is not used (it fails
# on machines without general internet access); playwright-core drives the system Chromium instead.
#   - Chromium present: prints nothing, exits 0.
#   - Missing, and we are root with apt-get: `apt-get update && apt-get install -y chromium` (quiet; says so).
#   - Missing otherwise: exits 1 and says what to install.
# ITEP_E2E_CHROMIUM=/path/to/chromium uses another Chromium/Chrome binary (then nothing is installed).
set -euo pipefail

if [ -n "${ITEP_E2E_CHROMIUM:-}" ]; then
	if [ -x "$ITEP_E2E_CHROMIUM" ]; then exit 0; fi
	echo "ensure-chromium: ITEP_E2E_CHROMIUM=$ITEP_E2E_CHROMIUM is not an executable file." >&2
	exit 1
fi

chromium=/usr/bin/chromium
if [ -x "$chromium" ]; then exit 0; fi

how_to="Install Debian's Chromium as root: apt-get update && apt-get install -y chromium (it provides $chromium), or set ITEP_E2E_CHROMIUM to a Chromium or Chrome binary."

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-chromium: $chromium is missing and this script can only install it as root with apt-get." >&2
	echo "ensure-chromium: $how_to" >&2
	exit 1
fi

log=$(mktemp "${TMPDIR:-/tmp}/ensure-chromium.XXXXXX.log")
echo "ensure-chromium: $chromium is missing; running: apt-get update && apt-get install -y chromium (log: $log)" >&2
start=$SECONDS
if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	echo "ensure-chromium: the install failed (log above). $how_to" >&2
	exit 1
fi
if [ ! -x "$chromium" ]; then
	echo "ensure-chromium: apt-get installed chromium but $chromium is still missing. $how_to" >&2
	exit 1
fi
echo "ensure-chromium: installed $("$chromium" --version 2>/dev/null | head -n 1) in $((SECONDS - start)) s" >&2
rm -f "$log"
