#!/usr/bin/env bash
# Create the virtualenv; on a fresh Debian machine install python3-venv first when it is missing.
set -euo pipefail
python=${1:-python3}
venv=${2:-.venv}
if [ -x "$venv/bin/python" ]; then exit 0; fi
if ! "$python" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
        "$python" -m venv "$venv"
    else
        echo "Cannot create a virtualenv: install python3-venv (sudo apt-get install python3-venv)" >&2
        exit 1
    fi
fi
