#!/usr/bin/env bash
# Install the Debian packages the tests and `make serve` use: Chromium for the browser tests
# (tests/browser, driven by Playwright) and nginx for several app processes (make serve, its test).
# Usage: install-system-packages.sh [chromium] [nginx]   (default: both)
# Idempotent, and instant when they are there. Never runs `playwright install` (that downloads from
# a CDN): the tests launch /usr/bin/chromium itself.
# When it cannot install (not root, or no apt-get) it says so and exits 0, so the tests that need a
# package skip with a reason instead of breaking a laptop run. If apt-get itself fails it exits 1
# under CI (so CI never quietly loses tests) and 0 elsewhere.
set -uo pipefail

declare -A BINARY=([chromium]=/usr/bin/chromium [nginx]=/usr/sbin/nginx)
declare -A USED_BY=([chromium]="the browser tests" [nginx]="make serve and its test")

wanted=("${@:-chromium nginx}")
missing=()
for package in ${wanted[@]}; do
    if [[ -z "${BINARY[$package]:-}" ]]; then
        echo "install-system-packages: unknown package $package (known: ${!BINARY[*]})" >&2
        exit 2
    fi
    [[ -x "${BINARY[$package]}" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    for package in "${missing[@]}"; do
        echo "install-system-packages: ${BINARY[$package]} is missing and cannot be installed here (needs root and apt-get);" \
             "${USED_BY[$package]} will be skipped or refuse to start. To install it: sudo apt-get install $package" >&2
    done
    exit 0
fi

echo "install-system-packages: installing ${missing[*]} with apt-get (once)…"
export DEBIAN_FRONTEND=noninteractive
# --no-install-recommends: Chromium's recommends are desktop extras (udev, upower, mesa, printing);
# headless Chromium does not need them and the app serves its own web fonts.
# policy-rc.d: a package's postinst must not start a system nginx on port 80; ours runs on its own.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1
fi
apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
status=$?
[[ $made_policy -eq 1 ]] && rm -f "$policy"

failed=0
for package in "${missing[@]}"; do
    if [[ $status -eq 0 && -x "${BINARY[$package]}" ]]; then
        echo "install-system-packages: $package installed."
    else
        echo "install-system-packages: could not install $package with apt-get; ${USED_BY[$package]} will be skipped." >&2
        failed=1
    fi
done
if [[ $failed -eq 1 && -n "${CI:-}" ]]; then
    exit 1
fi
exit 0
