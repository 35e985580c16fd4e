#!/usr/bin/env bash
# Make sure Postgres and Redis answer on loopback for the tests: use running ones, else start the
# installed ones, else install them from Debian's packages (as root). Fails loudly, never skips.
set -euo pipefail
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {
    local name=$1 host=$2 port=$3
    for _ in $(seq 1 60); do port_open "$host" "$port" && return 0; sleep 0.5; done
    echo "$name did not come up on $host:$port" >&2
    return 1
}

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

if ! port_open "$PG_HOST" "$PG_PORT"; then
    if ! command -v pg_ctlcluster >/dev/null; then
        can_install || { echo "Postgres is not running on $PG_HOST:$PG_PORT and cannot be installed here: install postgresql" >&2; exit 1; }
        echo "installing PostgreSQL from Debian's packages"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    # A fresh Debian cluster asks for passwords on loopback; the test cluster trusts loopback only.
    if ! grep -q "receptionist-tests" "$hba"; then
        sed -i '1i host all all 127.0.0.1/32 trust # receptionist-tests\nhost all all ::1/128 trust # receptionist-tests' "$hba"
    fi
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    wait_for Postgres "$PG_HOST" "$PG_PORT"
fi

if ! port_open "$REDIS_HOST" "$REDIS_PORT"; then
    if ! command -v redis-server >/dev/null; then
        can_install || { echo "Redis is not running on $REDIS_HOST:$REDIS_PORT and cannot be installed here: install redis-server" >&2; exit 1; }
        echo "installing Redis from Debian's packages"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    fi
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
        --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/receptionist-redis.log"
    wait_for Redis "$REDIS_HOST" "$REDIS_PORT"
fi
echo "Postgres on $PG_HOST:$PG_PORT and Redis on $REDIS_HOST:$REDIS_PORT are up"
