#!/usr/bin/env bash
# Make sure LibreOffice headless (Writer and Calc) is here to export the Word and Excel sample
# schedules to PDF: install it from Debian's packages when missing (as root), else fail saying what to
# install. Only `make sample-pdfs` needs it; the tests read the committed PDFs.
set -euo pipefail
if command -v soffice >/dev/null || command -v libreoffice >/dev/null; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing LibreOffice (Writer, Calc; no GUI) from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        libreoffice-writer-nogui libreoffice-calc-nogui >/dev/null
    exit 0
fi
echo "LibreOffice is not installed and cannot be installed here (needs root and apt-get):" >&2
echo "  sudo apt-get install libreoffice-writer-nogui libreoffice-calc-nogui" >&2
echo "or run 'python -m tools.make_sample_schedules' to rewrite only the fpdf2 samples." >&2
exit 1
