#!/usr/bin/env bash
# Installs what building, testing and running Kepu Kiosk needs on Debian/Ubuntu:
# the C toolchain, ALSA (narration sound), Xvfb and Mesa's Vulkan drivers (lavapipe renders on the CPU where there is no
# GPU), PostgreSQL (the server's tests run on it as well as on SQLite), Chromium and its
# WebDriver with Chinese fonts and poppler (the dashboard's browser tests, and its printed
# report read back from PDF), and the Rust toolchain when none is installed. Safe to run again: it skips what is there.
set -euo pipefail

packages=(
  build-essential pkg-config curl ca-certificates
  xvfb xauth mesa-vulkan-drivers libvulkan1
  libx11-6 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0
  libasound2-dev
  postgresql
  python3-venv
  chromium chromium-driver fonts-noto-cjk poppler-utils
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "setup: installing the Rust toolchain 1.95 with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
      | sh -s -- -y --profile minimal --default-toolchain 1.95.0 --component rustfmt,clippy
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi
if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
fi
