# shellcheck shell=bash
# Start a throw-away PostgreSQL server on loopback for the storage tests.
#
#   source scripts/ci_postgres.sh     # exports OMSDESKTOP_TEST_PG_URL, stops the server on exit
#   bash scripts/ci_postgres.sh       # starts it and prints the export line (stop it yourself:
#                                     #   pg_ctl -D <dir>/data stop, the dir is printed too)
#
# Installs PostgreSQL from Debian's packages when it is missing (needs root or sudo). Runs the
# server as a non-root user: as root it uses the `postgres` system user (created by the
# package) through runuser/su. The cluster lives in a temporary directory, listens only on
# 127.0.0.1 on a free port, trusts local connections, and runs with fsync off (test data only).
# Works under `set -euo pipefail`; when sourced it never calls `exit`: on failure it prints
# why and returns 1 (a caller under `set -e` stops there).

_omsdesktop_pg_main() {
    local pg_bin pg_dir port run_as py
    _omsdesktop_pg_log() { printf 'ci_postgres: %s\n' "$*" >&2; }

    _omsdesktop_pg_find_bin() {
        local dir
        dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            printf '%s\n' "$dir"
            return 0
        fi
        if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
            dirname "$(command -v initdb)"
            return 0
        fi
        return 1
    }

    if ! pg_bin=$(_omsdesktop_pg_find_bin); then
        _omsdesktop_pg_log "PostgreSQL not found: installing Debian's postgresql package"
        local sudo=""
        if [ "$(id -u)" -ne 0 ]; then
            if command -v sudo >/dev/null 2>&1; then
                sudo="sudo"
            else
                _omsdesktop_pg_log "need root or sudo to install postgresql"
                return 1
            fi
        fi
        # The package would start its own 'main' cluster through the init system; there is
        # none in a container, and we do not use that cluster anyway.
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            postgresql >&2 || return 1
        pg_bin=$(_omsdesktop_pg_find_bin) || {
            _omsdesktop_pg_log "postgresql installed but initdb/pg_ctl not found"
            return 1
        }
    fi

    py=$(command -v python3 || command -v python || true)
    if [ -n "$py" ]; then
        port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    else
        port=$((20000 + RANDOM % 20000))
    fi

    pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/omsdesktop-pg.XXXXXX") || return 1
    chmod 755 "$pg_dir"
    run_as=()
    if [ "$(id -u)" -eq 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            _omsdesktop_pg_log "creating the 'postgres' system user"
            useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres || return 1
        fi
        chown postgres: "$pg_dir"
        if command -v runuser >/dev/null 2>&1; then
            run_as=(runuser -u postgres --)
        else
            run_as=(su postgres -s /bin/sh -c)
        fi
    fi

    _omsdesktop_pg_run() {
        if [ "${#run_as[@]}" -eq 0 ]; then
            "$@"
        elif [ "${run_as[0]}" = "runuser" ]; then
            "${run_as[@]}" "$@"
        else
            local cmd="" arg
            for arg in "$@"; do cmd+=" $(printf '%q' "$arg")"; done
            "${run_as[@]}" "$cmd"
        fi
    }

    # Run from a directory the server user can read (root's cwd may be private).
    (
        cd "$pg_dir" || exit 1
        _omsdesktop_pg_run "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust \
            -E UTF8 --locale=C.UTF-8 --no-sync >"$pg_dir/initdb.log" 2>&1 ||
            _omsdesktop_pg_run "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust \
                -E UTF8 --locale=C --no-sync >"$pg_dir/initdb.log" 2>&1
    ) || {
        _omsdesktop_pg_log "initdb failed:"
        cat "$pg_dir/initdb.log" >&2
        return 1
    }
    (
        cd "$pg_dir" || exit 1
        _omsdesktop_pg_run "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null
    ) || {
        _omsdesktop_pg_log "the server did not start:"
        cat "$pg_dir/server.log" >&2
        return 1
    }
    if ! "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
        -c "CREATE DATABASE omsdesktop_test" >/dev/null; then
        _omsdesktop_pg_log "could not create the test database"
        return 1
    fi

    export OMSDESKTOP_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/omsdesktop_test"
    export OMSDESKTOP_TEST_PG_DIR="$pg_dir"
    export OMSDESKTOP_TEST_PG_BIN="$pg_bin"
    _omsdesktop_pg_log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $pg_dir)"
    printf 'export OMSDESKTOP_TEST_PG_URL=%s\n' "$OMSDESKTOP_TEST_PG_URL"
}

# Stop the server and remove its directory (safe to call twice).
omsdesktop_pg_stop() {
    local pg_dir="${OMSDESKTOP_TEST_PG_DIR:-}" pg_bin="${OMSDESKTOP_TEST_PG_BIN:-}"
    [ -n "$pg_dir" ] && [ -d "$pg_dir/data" ] || return 0
    if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1; then
        (cd "$pg_dir" && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop) >/dev/null 2>&1 || true
    elif [ "$(id -u)" -eq 0 ]; then
        (cd "$pg_dir" && su postgres -s /bin/sh -c "$(printf '%q ' "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop)") >/dev/null 2>&1 || true
    else
        "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pg_dir"
    unset OMSDESKTOP_TEST_PG_DIR
}

if (return 0 2>/dev/null); then
    # Sourced: start the server and stop it when the calling shell exits, keeping any EXIT
    # trap the caller already set.
    if _omsdesktop_pg_main; then
        _omsdesktop_pg_prev_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
        # shellcheck disable=SC2064
        trap "omsdesktop_pg_stop; ${_omsdesktop_pg_prev_trap:-:}" EXIT
    else
        _omsdesktop_pg_log "failed: PostgreSQL tests will fail (OMSDESKTOP_TEST_PG_URL unset)"
        return 1
    fi
else
    set -euo pipefail
    _omsdesktop_pg_main
fi
