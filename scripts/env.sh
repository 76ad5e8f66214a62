# Sourced by the scripts: one build folder outside the clone, reused between runs and clones
# (a cold build of Bevy takes a long time on a small machine).
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/kepu-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
