# shellcheck shell=bash
# Make SANE's own `test` scanner available for the scanner tests.
#
#   source scripts/ci_sane.sh     # installs what is missing, enables the test backend,
#                                 # exports OMSDESKTOP_TEST_SANE=1 (SANE tests then must run)
#   bash scripts/ci_sane.sh       # the same, for a shell of its own
#
# Debian/Ubuntu, as root or with sudo:
#   * packages: libsane1 (libsane and its backends, `test` among them), sane-utils
#     (scanimage), libsane-dev + gcc + python3-dev (python-sane is built from source);
#   * /etc/sane.d/dll.conf: the `test` line is uncommented (or added); /etc/sane.d/test.conf
#     comes with libsane-common and is left as it is (2 devices, options settable);
#   * python-sane in .venv (when the virtualenv exists and it is missing).
# When sourced it never calls `exit`: on failure it says why and returns 1.

_omsdesktop_sane_main() {
    local sudo="" missing=() pkg dll=/etc/sane.d/dll.conf venv_py=""
    _omsdesktop_sane_log() { printf 'ci_sane: %s\n' "$*" >&2; }

    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            _omsdesktop_sane_log "need root or sudo to install SANE"
        fi
    fi
    if command -v dpkg >/dev/null 2>&1; then
        for pkg in libsane1 sane-utils libsane-dev gcc python3-dev; do
            # Not `dpkg -s`: it succeeds for a removed package whose config files remain.
            case "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" in
                *" installed") ;;
                *) missing+=("$pkg") ;;
            esac
        done
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
            _omsdesktop_sane_log "missing packages: ${missing[*]}"
            return 1
        fi
        _omsdesktop_sane_log "installing ${missing[*]}"
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >&2 || return 1
    fi

    if [ ! -f "$dll" ]; then
        _omsdesktop_sane_log "$dll not found after installing libsane1"
        return 1
    fi
    if grep -Eq '^[[:space:]]*test[[:space:]]*$' "$dll"; then
        :
    elif grep -Eq '^[[:space:]]*#[[:space:]]*test[[:space:]]*$' "$dll"; then
        _omsdesktop_sane_log "enabling the test backend in $dll"
        $sudo sed -i -E 's/^[[:space:]]*#[[:space:]]*test[[:space:]]*$/test/' "$dll" || return 1
    else
        _omsdesktop_sane_log "adding the test backend to $dll"
        printf 'test\n' | $sudo tee -a "$dll" >/dev/null || return 1
    fi
    if [ ! -f /etc/sane.d/test.conf ]; then
        _omsdesktop_sane_log "note: /etc/sane.d/test.conf missing; the backend's defaults apply"
    fi

    # python-sane: built against libsane-dev. setup.sh normally installs it with the package.
    if [ -x .venv/bin/python ]; then
        venv_py=.venv/bin/python
    fi
    if [ -n "$venv_py" ] && ! "$venv_py" -c 'import sane' >/dev/null 2>&1; then
        _omsdesktop_sane_log "installing python-sane into .venv"
        "$venv_py" -m pip install -q 'python-sane>=2.9' >&2 || return 1
    fi

    if ! command -v scanimage >/dev/null 2>&1; then
        _omsdesktop_sane_log "scanimage not found after installing sane-utils"
        return 1
    fi
    if scanimage -d test:0 -n >/dev/null 2>&1; then
        _omsdesktop_sane_log "SANE test scanner ready (test:0)"
    else
        _omsdesktop_sane_log "the SANE test device test:0 does not open"
        return 1
    fi
    export OMSDESKTOP_TEST_SANE=1
}

if (return 0 2>/dev/null); then
    _omsdesktop_sane_main || {
        printf 'ci_sane: failed: SANE tests will fail\n' >&2
        return 1
    }
else
    set -euo pipefail
    _omsdesktop_sane_main
fi
