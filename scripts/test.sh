#!/usr/bin/env bash
# The whole test suite: formatting, lints, and every test (unit, server API, headless kiosk,
# end to end with a real kepu-server process, and the real-window render test under Xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
source scripts/postgres.sh

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test (under Xvfb, rendering with Mesa lavapipe)"
mkdir -p "$CARGO_TARGET_DIR/screenshots"
export KEPU_SCREENSHOT_DIR="$CARGO_TARGET_DIR/screenshots"
xvfb-run -a -s "-screen 0 1920x1080x24" cargo test --workspace --locked
bash scripts/api-fuzz.sh # schemathesis against /api/v1/openapi.json (docs/api.md)
echo "screenshots: $KEPU_SCREENSHOT_DIR"
