#!/usr/bin/env bash
# Make sure Debian's chromium is here for the staff console's browser tests (Playwright drives
# /usr/bin/chromium; it never downloads a browser): install it from Debian's packages when missing
# (as root, or through sudo), else fail saying what to install.
set -euo pipefail
if command -v chromium >/dev/null; then
    exit 0
fi
if command -v apt-get >/dev/null; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="missing"; fi
    if [ "$SUDO" != "missing" ]; then
        echo "installing chromium from Debian's packages (for the browser tests)"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
        exit 0
    fi
fi
echo "chromium is not installed and cannot be installed here (needs root and apt-get):" >&2
echo "  sudo apt-get install chromium" >&2
exit 1
