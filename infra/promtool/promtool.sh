#!/usr/bin/env bash
# promtool (Prometheus' rule and metrics checker), built from the Go module proxy.
#
#   infra/promtool/promtool.sh install   build promtool once (skipped when the pinned version is
#                                        installed) and print PROMTOOL=<path>. Cold: ~20 min on 2 cores
#                                        shared with other builds, ~2 GB of Go caches (deleted after)
#   infra/promtool/promtool.sh env       print PROMTOOL=<path> (eval "$(infra/promtool/promtool.sh env)")
#   infra/promtool/promtool.sh status    exit 0 when the pinned version is installed, 3 when not
#
# Environment: FLOWLOG_INFRA_DIR (state root, default ~/.cache/flowlog/infra), PROMETHEUS_MODULE_VERSION
# (pinned below), PROMTOOL_KEEP_GO_CACHE=1 (keep the Go module and build caches under the state dir).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# outside the clone, so a fresh clone (CI) reuses what an earlier one built; infra/servers.ts says the same
INFRA_DIR="${FLOWLOG_INFRA_DIR:-$HOME/.cache/flowlog/infra}"
STATE="$INFRA_DIR/promtool"

# Prometheus tags its Go module v0.<minor*100+...>: v0.316.0 is Prometheus 3.16.0 (2026-11-05; its
# go.mod asks for Go >= 1.26.7, checked with Go 1.26.8). Pinned so that CI builds the same checker
# every time; override with PROMETHEUS_MODULE_VERSION.
PROMETHEUS_MODULE="github.com/prometheus/prometheus"
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-v0.316.0}"

BIN_DIR="$STATE/bin"
BIN="$BIN_DIR/promtool"
VERSION_FILE="$BIN_DIR/promtool.version"
BUILD_LOG="$STATE/build.log"
GO_DIR="$STATE/go"
# lib.sh's log helpers read these; promtool is a tool, not a server, so there is no pid.
PID_FILE="$STATE/none.pid"
LOG_FILE="$BUILD_LOG"
HOST="127.0.0.1"

SERVICE=promtool
# shellcheck source=../lib.sh
. "$SCRIPT_DIR/../lib.sh"

installed() {
  [ -x "$BIN" ] && [ "$(cat "$VERSION_FILE" 2>/dev/null || true)" = "$PROMETHEUS_MODULE_VERSION" ]
}

install_promtool() {
  ensure_state
  if installed; then
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "'go' not found on PATH: promtool is built from the Go module proxy and needs Go >= 1.26.7 (go.mod of $PROMETHEUS_MODULE@$PROMETHEUS_MODULE_VERSION)"

  say "building $PROMETHEUS_MODULE/cmd/promtool@$PROMETHEUS_MODULE_VERSION with $(go env GOVERSION) (log: $BUILD_LOG)"
  go_build promtool "$PROMETHEUS_MODULE/cmd/promtool@$PROMETHEUS_MODULE_VERSION" "$PROMETHEUS_MODULE_VERSION" PROMTOOL_KEEP_GO_CACHE
}

cmd_status() {
  if installed; then
    echo "promtool: installed ($PROMETHEUS_MODULE_VERSION) at $BIN"
    return 0
  fi
  echo "promtool: not installed (pinned $PROMETHEUS_MODULE_VERSION)"
  return 3
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  install) take_lock; install_promtool; echo "PROMTOOL=$BIN" ;;
  env)     echo "PROMTOOL=$BIN" ;;
  status)  cmd_status ;;
  -h|--help|help) usage ;;
  *) echo "usage: $0 install|env|status" >&2; exit 2 ;;
esac
