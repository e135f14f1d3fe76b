# shellcheck shell=bash
# Shared by the scripts in this folder: where the environment lives and how to enter it.
#
# Current Home Assistant needs Python >= 3.14.2 and the tests need qBittorrent 5.3.0,
# 5.1.0, 4.5.2 and 4.2.5. A Debian host rarely has them all, so setup builds small Debian
# roots (sid: Python 3.14 and qBittorrent 5.3.0; trixie: 5.1.0; bookworm: 4.5.2;
# bullseye: 4.2.5) and a virtual environment, all cached outside the clone. Every project command runs inside the sid
# root through bubblewrap, with the host's loopback network.

set -euo pipefail

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${QBT_PLUS_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/qbittorrent-plus}
SID_ROOT=$CACHE_DIR/roots/sid
TRIXIE_ROOT=$CACHE_DIR/roots/trixie
BOOKWORM_ROOT=$CACHE_DIR/roots/bookworm
BULLSEYE_ROOT=$CACHE_DIR/roots/bullseye
VENV=$CACHE_DIR/venv

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Runs a command inside the sid root. The root itself is read-only; the project and the
# cache are bound at their own paths, /tmp is a fresh tmpfs that vanishes with the
# sandbox, and the private PID namespace ends every process started inside (servers
# included) when the command exits, however it exits.
in_env() {
  [ -x "$SID_ROOT/usr/bin/python3.14" ] || die "no environment yet: run scripts/setup first"
  local term=${TERM:-dumb}
  # The root is mounted read-only, so the mount points must exist in it beforehand
  # (the tmpfs on /tmp comes first, so a clone or cache under /tmp stays visible).
  mkdir -p "$SID_ROOT$PROJECT_DIR" "$SID_ROOT$CACHE_DIR"
  bwrap \
    --ro-bind "$SID_ROOT" / \
    --proc /proc --dev /dev --tmpfs /tmp --tmpfs /run \
    --bind "$PROJECT_DIR" "$PROJECT_DIR" \
    --bind "$CACHE_DIR" "$CACHE_DIR" \
    --ro-bind /etc/resolv.conf /etc/resolv.conf \
    --unshare-pid --die-with-parent --cap-add ALL \
    --clearenv \
    --setenv PATH "$VENV/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --setenv HOME /tmp --setenv LANG C.UTF-8 --setenv TERM "$term" \
    --setenv CI "${CI:-}" \
    --setenv QBT_PLUS_ROOT_5_1_0 "$TRIXIE_ROOT" \
    --setenv QBT_PLUS_ROOT_4_5_2 "$BOOKWORM_ROOT" \
    --setenv QBT_PLUS_ROOT_4_2_5 "$BULLSEYE_ROOT" \
    --setenv QBT_PLUS_PROJECT_DIR "$PROJECT_DIR" \
    --chdir "$PROJECT_DIR" \
    "$@"
}
