#!/usr/bin/env bash
# Kiosk start-up figures: time from process start to the first frame, and resident memory on
# the settled home screen, over several runs under Xvfb + lavapipe. Usage:
#   scripts/bench-startup.sh [runs] [profile: debug|release]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
runs="${1:-5}"
profile="${2:-debug}"
flag=""
[ "$profile" = "release" ] && flag="--release"
cargo build --locked $flag --workspace >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/kiosk.toml" <<TOML
kiosk_id = "bench"
server_url = "http://127.0.0.1:9"
exhibits_dir = "$PWD/exhibits"
TOML
for i in $(seq "$runs"); do
  xvfb-run -a -s "-screen 0 1920x1080x24" "$CARGO_TARGET_DIR/$profile/kepu-kiosk" run --windowed \
    --config "$work/kiosk.toml" --start-session zh --screenshot "$work/shot-$i.png" 2>&1 \
    | grep -oE "first frame [0-9]+ ms|resident memory [0-9]+ MiB" | tr '\n' ' '
  echo
done
