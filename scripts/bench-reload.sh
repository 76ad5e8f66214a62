#!/usr/bin/env bash
# Hot-reload latency of the real kiosk (idle, reactive rendering, under Xvfb): the time from a
# curator's save of an exhibit.toml to the kiosk applying the change, over several edits.
#   scripts/bench-reload.sh [edits]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
edits="${1:-5}"
cargo build --locked --workspace --all-targets >/dev/null 2>&1
work="$(mktemp -d)"
cp -r exhibits "$work/exhibits"
cat > "$work/kiosk.toml" <<TOML
kiosk_id = "bench"
server_url = "http://127.0.0.1:9"
exhibits_dir = "$work/exhibits"
data_dir = "$work/data"
TOML
xvfb-run -a -s "-screen 0 1920x1080x24" "$CARGO_TARGET_DIR/debug/kepu-kiosk" run --windowed \
  --config "$work/kiosk.toml" > "$work/log" 2>&1 &
kiosk=$!
trap 'kill $kiosk 2>/dev/null; pkill -P $kiosk 2>/dev/null; rm -rf "$work"' EXIT
sleep 4
file="$work/exhibits/emergency-quiz/exhibit.toml"
for i in $(seq "$edits"); do
  before=$(grep -c "exhibit changes applied" "$work/log" || true)
  start=$(date +%s.%N)
  sed -i "s/^title = { zh = \"应急小课堂[^\"]*\"/title = { zh = \"应急小课堂 $i\"/" "$file"
  while [ "$(grep -c "exhibit changes applied" "$work/log" || true)" -le "$before" ]; do sleep 0.01; done
  end=$(date +%s.%N)
  echo "edit $i: applied after $(awk "BEGIN { printf \"%d\", ($end - $start) * 1000 }") ms"
  sleep 1.3
done
