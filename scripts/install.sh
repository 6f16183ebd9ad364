#!/usr/bin/env bash
# Installs what Proficio needs on a fresh Debian/Ubuntu machine: the Python package with its test
# tools, the fonts transcripts use for every script, Chromium for the browser tests and poppler's
# pdftoppm for looking at PDFs. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(fonts-noto-core fonts-noto-cjk chromium poppler-utils)

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "Installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
else
  echo "apt-get not found: install ${DEBIAN_PACKAGES[*]} (or your system's equivalents) by hand." >&2
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]"

# axe-core for the site's accessibility tests (injected into pages by Playwright).
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/browser --no-audit --no-fund --silent
else
  echo "npm not found: install Node.js and npm, then run: npm ci --prefix tests/browser" >&2
fi
echo "Installed. Next: proficio build"
