#!/usr/bin/env bash
# The kiosk's figures for docs/performance.md, in a release build at 1920x1080 under Xvfb +
# lavapipe (CPU rendering): start to first frame and to the settled home screen (thumbnails
# cached), memory (RSS and PSS) on the home screen, idle CPU over 60 s on the home and attract
# screens, and frame time p50/p99 of the busiest screens.
#   scripts/bench-kiosk.sh [idle-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
idle="${1:-60}"
cargo build --locked --release -p kepu-kiosk >/dev/null
bin="$CARGO_TARGET_DIR/release/kepu-kiosk"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/kiosk.toml" <<TOML
kiosk_id = "bench"
server_url = "http://127.0.0.1:9"
exhibits_dir = "$PWD/exhibits"
data_dir = "$work/data"
idle_timeout_secs = 3600
TOML
x() { xvfb-run -a -s "-screen 0 1920x1080x24" "$@"; }
run() { x "$bin" run --windowed --window-size 1920x1080 --config "$work/kiosk.toml" "$@" 2>&1; }

echo "== start-up, home screen (first run fills the thumbnail cache)"
for i in 1 2 3 4; do
  run --start-session zh --screenshot "$work/home.png" \
    | grep -oE "first frame [0-9]+ ms|home ready [0-9]+ ms|resident memory [0-9]+ MiB|\(PSS\) [0-9]+ MiB" | tr '\n' ' '
  echo
done

# The kiosk measures itself (--measure-idle): frames drawn and CPU time of the whole process,
# every thread included (Mesa's llvmpipe threads, which do the software rendering, are threads
# of the kiosk process), over the given seconds after a 5 s settle.
idle_cpu() {
  local label="$1"; shift
  echo "$label: $(run "$@" --measure-idle "$idle" | grep -oE "idle: .*|\(PSS\) [0-9]+ MiB" | tr '\n' ' ')"
}
echo "== idle over ${idle} s"
idle_cpu "home screen" --start-session zh
idle_cpu "attract loop"

echo "== frame time (600 frames after settling, continuous redraw)"
for screen in "home:" "orbit:--open satellite-orbit --play" "pendulum:--open pendulum-planets --play" "projectile:--open projectile-target --play" "hotspots:--open home-hazards" "sort:--open waste-sorting" "quiz:--open everyday-science-quiz"; do
  name="${screen%%:*}"; args="${screen#*:}"
  # shellcheck disable=SC2086
  echo "$name: $(run --start-session zh $args --measure-frames 600 | grep -oE "p50 [0-9.]+ ms, p99 [0-9.]+ ms, max [0-9.]+ ms|\(PSS\) [0-9]+ MiB" | tr '\n' ' ')"
done
