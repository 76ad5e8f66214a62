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
# Built alone, each with only the features it asks for: a workspace build unifies features (the
# kiosk turns on kepu-core's outbox and uploader), so the steps below cannot tell whether the
# server still builds without the outbox, nor kepu-core without any of its features.
echo "== cargo check: kepu-server alone, kepu-core without its default features"
cargo check -p kepu-server --locked
cargo check -p kepu-core --no-default-features --locked
echo "== cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test (under Xvfb, rendering with Mesa lavapipe)"
mkdir -p "$CARGO_TARGET_DIR/screenshots"
export KEPU_SCREENSHOT_DIR="$CARGO_TARGET_DIR/screenshots"
xvfb-run -a -s "-screen 0 1920x1080x24" cargo test --workspace --locked
bash scripts/api-fuzz.sh # schemathesis against /api/v1/openapi.json (docs/api.md)
echo "screenshots: $KEPU_SCREENSHOT_DIR"
