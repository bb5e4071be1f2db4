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

SERVICE=promtool
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# Prometheus tags its Go module v0.<minor*100+...>: v0.316.0 is Prometheus 3.16.0 (2026-11-05; its
# go.mod asks for Go >= 1.26.7, checked with Go 1.26.8). Pinned so that CI builds the same checker
# every time; override with PROMETHEUS_MODULE_VERSION.
PROMETHEUS_MODULE="github.com/prometheus/prometheus"
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-v0.316.0}"

go_binary promtool

installed() { go_installed "$PROMETHEUS_MODULE_VERSION"; }

install_promtool() {
  go_install promtool "$PROMETHEUS_MODULE/cmd/promtool@$PROMETHEUS_MODULE_VERSION" "$PROMETHEUS_MODULE_VERSION" PROMTOOL_KEEP_GO_CACHE \
    "promtool is built from the Go module proxy and needs Go >= 1.26.7 (go.mod of $PROMETHEUS_MODULE@$PROMETHEUS_MODULE_VERSION)"
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
