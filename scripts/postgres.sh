# Sourced by scripts/test.sh: starts the machine's PostgreSQL (installed by setup.sh) and makes
# a role the server's tests may create their databases with; exports KEPU_TEST_POSTGRES_URL.
# Each test then creates a database of its own (kepu_test_<uuid>) on it.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
if [ -z "${KEPU_TEST_POSTGRES_URL:-}" ]; then
  # Debian/Ubuntu's cluster tools: the newest installed cluster (15 on Debian 12).
  cluster=$(pg_lsclusters --no-header 2>/dev/null | sort -k1,1V | tail -1 | awk '{print $1, $2}')
  if [ -z "$cluster" ]; then
    # The package's own set-up makes one; where it did not (a container), make it here.
    pg_version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)
    if [ -z "$pg_version" ]; then
      echo "postgres: PostgreSQL is not installed (setup.sh installs the postgresql package)" >&2
      return 1
    fi
    echo "postgres: making cluster $pg_version/main"
    as_root pg_createcluster "$pg_version" main >/dev/null
    cluster="$pg_version main"
  fi
  read -r pg_version pg_name <<<"$cluster"
  if ! pg_lsclusters --no-header | awk -v v="$pg_version" -v n="$pg_name" '$1==v && $2==n {print $4}' | grep -q online; then
    echo "postgres: starting cluster $pg_version/$pg_name"
    as_root pg_ctlcluster "$pg_version" "$pg_name" start
  fi
  pg_port=$(pg_lsclusters --no-header | awk -v v="$pg_version" -v n="$pg_name" '$1==v && $2==n {print $3}')
  for _ in $(seq 1 30); do
    as_postgres psql -p "$pg_port" -qtAc "SELECT 1" >/dev/null 2>&1 && break
    sleep 1
  done
  as_postgres psql -p "$pg_port" -qc "DO \$\$BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kepu_test') THEN
        CREATE ROLE kepu_test LOGIN CREATEDB PASSWORD 'kepu_test';
      END IF;
    END\$\$;" >/dev/null
  # Databases left by an earlier run (each test makes one). One still in use (a benchmark
  # running beside the tests) is left alone: the tests never touch another's database.
  as_postgres psql -p "$pg_port" -qtAc \
    "SELECT datname FROM pg_database WHERE datname LIKE 'kepu\\_test\\_%'" |
    while read -r database; do
      as_postgres dropdb -p "$pg_port" --if-exists "$database" 2>/dev/null ||
        echo "postgres: $database is in use; left for now"
    done
  export KEPU_TEST_POSTGRES_URL="postgres://kepu_test:kepu_test@127.0.0.1:$pg_port/postgres"
fi
echo "postgres: tests use ${KEPU_TEST_POSTGRES_URL%%:*}://…@${KEPU_TEST_POSTGRES_URL#*@}"
