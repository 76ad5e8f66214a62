#!/usr/bin/env bash
# Kiosk start-up figures under Xvfb + lavapipe: time from process start to the first frame and
# to the settled home screen (thumbnails decoded and shown), and resident memory then.
#   scripts/bench-startup.sh [runs] [debug|release] [exhibits]
# With `exhibits` > 0 the kiosk gets that many copies of the sample exhibits (real pictures,
# each its own files); the first run has an empty thumbnail cache, later runs use it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
runs="${1:-5}"
profile="${2:-debug}"
copies="${3:-0}"
flag=""
[ "$profile" = "release" ] && flag="--release"
cargo build --locked $flag --workspace >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
exhibits="$PWD/exhibits"
if [ "$copies" -gt 0 ]; then
  exhibits="$work/exhibits"
  for i in $(seq -w 1 "$copies"); do
    for sample in exhibits/*/; do
      name="$(basename "$sample")-$i"
      cp -r "$sample" "$exhibits/$name" 2>/dev/null || { mkdir -p "$exhibits"; cp -r "$sample" "$exhibits/$name"; }
      sed -i "s/^id = \"\(.*\)\"/id = \"\1-$i\"/" "$exhibits/$name/exhibit.toml"
      # Each copy's pictures are distinct files (one pixel changes), so nothing is shared.
      python3 - "$exhibits/$name" "$i" <<'PY' 2>/dev/null || true
import sys, glob
from PIL import Image
for path in glob.glob(sys.argv[1] + "/*.jpg"):
    im = Image.open(path); im.putpixel((0, 0), (int(sys.argv[2]) % 256, 0, 0)); im.save(path, quality=88)
PY
    done
  done
fi
cat > "$work/kiosk.toml" <<TOML
kiosk_id = "bench"
server_url = "http://127.0.0.1:9"
exhibits_dir = "$exhibits"
data_dir = "$work/data"
TOML
echo "exhibits: $(ls "$exhibits" | wc -l), profile: $profile"
for i in $(seq "$runs"); do
  xvfb-run -a -s "-screen 0 1920x1080x24" "$CARGO_TARGET_DIR/$profile/kepu-kiosk" run --windowed \
    --config "$work/kiosk.toml" --start-session zh --screenshot "$work/shot-$i.png" 2>&1 \
    | grep -oE "first frame [0-9]+ ms|home ready [0-9]+ ms|resident memory [0-9]+ MiB" | tr '\n' ' '
  echo
  rm -f "$work/shot-$i.png"
done
