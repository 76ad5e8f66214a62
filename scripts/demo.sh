#!/usr/bin/env bash
# The demo: kepu-server on its embedded SQLite and the kiosk (windowed) on the sample exhibits,
# already paired with a token, and the staff dashboard with a few hundred visits in it (the
# kiosk's autopilot plays them first, headless). Close the kiosk window to stop both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# Built exactly as the test suite builds (whole workspace, all targets): the same features, so
# the demo and the tests share one build instead of each rebuilding half of Bevy (~9 minutes
# here) after the other.
cargo build --locked --workspace --all-targets
bin="$CARGO_TARGET_DIR/debug"
data="$PWD/demo-data"
mkdir -p "$data"

kepu_server=("$bin/kepu-server" --database "$data/server.sqlite3")
# A demo district: one venue, this kiosk, and a staff account to read the reports with.
staff_name=demo
staff_password=demo-password
if [ ! -s "$data/kiosk.token" ]; then
  "${kepu_server[@]}" venue add "Demo Science Centre"
  "${kepu_server[@]}" kiosk add "Demo Science Centre" demo-kiosk --token-file "$data/kiosk.token"
  echo "$staff_password" | "${kepu_server[@]}" staff add "$staff_name" --role admin
fi
"${kepu_server[@]}" content publish exhibits
port="${KEPU_DEMO_PORT:-8480}"
cat > "$data/kiosk.toml" <<TOML
kiosk_id = "demo-kiosk"
server_url = "http://127.0.0.1:$port"
exhibits_dir = "../exhibits"
token_file = "kiosk.token"
languages = ["zh", "en"]
idle_timeout_secs = 60
data_dir = "kiosk-data"
TOML

"${kepu_server[@]}" serve --listen "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 1
echo
echo "demo: the staff dashboard is at http://127.0.0.1:$port/  (sign in as $staff_name / $staff_password)"
echo

# The first time: 500 synthetic visitors on a headless kiosk (the same kiosk id and outbox),
# so the dashboard has something to show (about 280 sessions: a visitor who comes while the
# one before is still in their session continues it); the kiosk delivers them when it starts
# below.
if [ ! -e "$data/.visitors-played" ]; then
  echo "demo: the autopilot plays 500 visitors (under a minute)"
  "$bin/kepu-kiosk" run --config "$data/kiosk.toml" --headless --autopilot 500 --seed 2026
  touch "$data/.visitors-played"
fi

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  "$bin/kepu-kiosk" run --windowed --config "$data/kiosk.toml"
else
  echo "demo: no display here, so the kiosk runs under Xvfb and saves a screenshot of its home screen"
  xvfb-run -a -s "-screen 0 1920x1080x24" \
    "$bin/kepu-kiosk" run --windowed --config "$data/kiosk.toml" --start-session zh \
    --screenshot "$data/demo-home.png"
  echo "demo: screenshot saved to $data/demo-home.png"
fi

sleep 2
echo "demo: engagement summary from kepu-server (staff $staff_name / $staff_password):"
curl -s -u "$staff_name:$staff_password" "http://127.0.0.1:$port/api/v1/stats/summary" || true
echo
echo "demo: the dashboard was at http://127.0.0.1:$port/ (run this again to see it with the kiosk)"

