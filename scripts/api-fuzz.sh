#!/usr/bin/env bash
# Fuzzes the HTTP API with schemathesis, driven by the server's own OpenAPI document
# (/api/v1/openapi.json): the real `kepu-server serve` (the debug build `cargo test` makes), once
# on a fresh SQLite file and once on a fresh PostgreSQL database, each with a kiosk token and a
# staff account. Fails on any 5xx answer and on any answer the document does not describe
# (status, content type, headers, body schema).
#
#   scripts/api-fuzz.sh                  both engines
#   KEPU_FUZZ_ENGINES=sqlite ...         one
#   KEPU_FUZZ_EXAMPLES=2000 ...          more cases per operation (default 500)
#   KEPU_FUZZ_SEED=random ...            other cases than CI's (default: a fixed seed)
#
# schemathesis is installed from PyPI, at the versions api-fuzz-requirements.txt pins, into a
# virtualenv under /var/tmp that later runs reuse. PostgreSQL: KEPU_TEST_POSTGRES_URL as
# scripts/postgres.sh sets it (the script sources it when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

engines="${KEPU_FUZZ_ENGINES:-sqlite postgres}"
examples="${KEPU_FUZZ_EXAMPLES:-500}"
seed="${KEPU_FUZZ_SEED:-20260601}"
scripts="$PWD/scripts"

# One virtualenv per version of the pinned requirements, kept between runs.
requirements="$scripts/api-fuzz-requirements.txt"
venv="${KEPU_FUZZ_VENV:-/var/tmp/kepu-schemathesis-$(sha256sum "$requirements" | cut -c1-12)}"
if [ ! -e "$venv/.installed" ]; then
  echo "api-fuzz: installing schemathesis into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  touch "$venv/.installed"
fi

server="$CARGO_TARGET_DIR/debug/kepu-server"
if [ ! -x "$server" ]; then
  cargo build -p kepu-server --locked
fi

work=$(mktemp -d /tmp/kepu-api-fuzz.XXXXXX)
server_pid=""
databases=()
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  for database in "${databases[@]}"; do
    psql "$KEPU_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# Limits far above what the fuzzer sends, so that they never answer in its place (429 is still
# documented, and tested in tests/api/limits.rs).
cat >"$work/server.toml" <<TOML
kiosk_requests_per_second = 100000.0
kiosk_burst = 100000
failed_signins_per_minute = 100000
TOML

fuzz() { # ENGINE DATABASE
  local engine=$1 database=$2 dir="$work/$1"
  mkdir -p "$dir"
  local cli=("$server" --config "$work/server.toml" --database "$database")
  "${cli[@]}" venue add "Fuzz Venue" >/dev/null
  # For api-fuzz.toml (the credentials) and api_fuzz_hooks.py (the kiosk's name).
  export KEPU_FUZZ_KIOSK_NAME=fuzz-kiosk KEPU_FUZZ_KIOSK_TOKEN
  export KEPU_FUZZ_STAFF_NAME=fuzz.viewer KEPU_FUZZ_STAFF_PASSWORD="fuzz viewer password"
  "${cli[@]}" kiosk add "Fuzz Venue" "$KEPU_FUZZ_KIOSK_NAME" --token-file "$dir/token" >/dev/null
  KEPU_FUZZ_KIOSK_TOKEN=$(cat "$dir/token")
  echo "$KEPU_FUZZ_STAFF_PASSWORD" | "${cli[@]}" staff add "$KEPU_FUZZ_STAFF_NAME" --role viewer >/dev/null

  : >"$dir/server.out" # before the server opens it, for the loop below
  "${cli[@]}" serve --listen 127.0.0.1:0 >>"$dir/server.out" 2>"$dir/server.log" &
  server_pid=$!
  local url=""
  for _ in $(seq 1 100); do
    url=$(sed -n 's/^kepu-server listening on //p' "$dir/server.out")
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "api-fuzz: the server did not start on $engine:" >&2
    cat "$dir/server.log" >&2
    return 1
  fi

  echo "== schemathesis on $engine ($url, $examples cases per operation, seed $seed)"
  local seed_args=(--seed "$seed")
  [ "$seed" = random ] && seed_args=()
  local status=0
  # Every request carries the credentials of its operation's security scheme: no generated
  # `Authorization` headers, whose failures would soon lock this address out (429 for all).
  # Run from $dir: schemathesis writes its reports where it runs.
  (cd "$dir" && SCHEMATHESIS_HOOKS=api_fuzz_hooks PYTHONPATH="$scripts" \
    "$venv/bin/schemathesis" --config-file "$scripts/api-fuzz.toml" \
    run "$url/api/v1/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "$examples" "${seed_args[@]}" \
    --generation-database none \
    --generation-with-security-parameters false \
    --workers 2 \
    --request-timeout 10 \
    --no-color) || status=$?
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  if [ "$status" -ne 0 ]; then
    echo "api-fuzz: schemathesis found problems on $engine; the server's log:" >&2
    grep -E '"(WARN|ERROR)"|ERROR|panicked' "$dir/server.log" | tail -n 40 >&2 || true
    return "$status"
  fi
}

for engine in $engines; do
  case "$engine" in
    sqlite) fuzz sqlite "$work/fuzz.sqlite3" ;;
    postgres)
      if [ -z "${KEPU_TEST_POSTGRES_URL:-}" ]; then source scripts/postgres.sh; fi
      name="kepu_test_fuzz_$(date +%s)_$$"
      psql "$KEPU_TEST_POSTGRES_URL" -qc "CREATE DATABASE $name" >/dev/null
      databases+=("$name")
      fuzz postgres "${KEPU_TEST_POSTGRES_URL%/*}/$name"
      ;;
    *) echo "api-fuzz: unknown engine $engine (sqlite, postgres)" >&2; exit 2 ;;
  esac
done
echo "api-fuzz: no findings ($engines)"
