#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/browser), which drive it with Playwright.
# Idempotent, and instant when it is already there. Never runs `playwright install` (that downloads
# from a CDN): the tests launch /usr/bin/chromium itself.
# When it cannot install (not root, or no apt-get) it says so and exits 0, so the browser tests skip
# with a reason instead of breaking a laptop run. If apt-get itself fails it exits 1 under CI (so CI
# never quietly loses its browser tests) and 0 elsewhere.
set -uo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: $CHROMIUM is missing and cannot be installed here (needs root and apt-get)." >&2
    echo "install-browser: the browser tests will be skipped. To run them: sudo apt-get install chromium" >&2
    exit 0
fi

echo "install-browser: installing chromium with apt-get (once)…"
export DEBIAN_FRONTEND=noninteractive
# --no-install-recommends: the recommends are desktop extras (udev, upower, mesa, printing);
# headless Chromium does not need them and the app serves its own web fonts.
if apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null && [[ -x "$CHROMIUM" ]]; then
    echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) installed."
    exit 0
fi

echo "install-browser: could not install chromium with apt-get; the browser tests will be skipped." >&2
if [[ -n "${CI:-}" ]]; then
    exit 1
fi
exit 0
