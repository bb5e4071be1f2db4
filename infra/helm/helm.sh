#!/usr/bin/env bash
# The helm CLI (built from the Go module proxy), used to lint and render the chart in infra/helm/flowlog.
#
#   infra/helm/helm.sh install   build helm once into the state dir (cold: 462 s measured on 2 cores with
#                                Go 1.26.8, a 62 MB binary; the Go caches are deleted afterwards)
#   infra/helm/helm.sh path      print the helm binary's path (exit 3 when it is not built yet)
#   infra/helm/helm.sh status    exit 0 when the pinned helm is built, 3 when not
#   infra/helm/helm.sh run ARGS  run helm with ARGS (builds it first when needed)
#
# Environment: FLOWLOG_INFRA_DIR (state root, default ~/.cache/flowlog/infra), HELM_MODULE_VERSION
# (pinned below), HELM_KEEP_GO_CACHE=1 (keep the Go build caches). helm is only a client here: no
# server, no cluster; its own config/cache/data dirs are kept under the state dir too.
set -euo pipefail

SERVICE=helm
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# Pinned so that CI renders the chart with the same helm every time (the newest v3 on the module
# proxy when this was written; its go.mod asks for Go 1.26). Override with HELM_MODULE_VERSION.
HELM_MODULE="helm.sh/helm/v3"
HELM_MODULE_VERSION="${HELM_MODULE_VERSION:-v3.22.0}"

go_binary helm

installed() { go_installed "$HELM_MODULE_VERSION"; }

install_helm() {
  go_install helm "$HELM_MODULE/cmd/helm@$HELM_MODULE_VERSION" "$HELM_MODULE_VERSION" HELM_KEEP_GO_CACHE \
    "helm is built from the Go module proxy and needs Go >= 1.26 ($HELM_MODULE@$HELM_MODULE_VERSION go.mod)" \
    "cold build takes several minutes on 2 cores"
}

run_helm() {
  # helm's own config, cache and data under the state dir: a lint never touches ~/.config/helm
  HELM_CONFIG_HOME="$STATE/home/config" HELM_CACHE_HOME="$STATE/home/cache" \
  HELM_DATA_HOME="$STATE/home/data" exec "$BIN" "$@"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  install) take_lock; install_helm; say "installed: $BIN ($(cat "$VERSION_FILE"))" ;;
  path)    installed || { say "not built yet (run: $0 install)"; exit 3; }; echo "$BIN" ;;
  status)  if installed; then echo "helm: built ($HELM_MODULE_VERSION) at $BIN"; else echo "helm: not built"; exit 3; fi ;;
  run)     if ! installed; then take_lock; install_helm; exec 9>&-; fi; run_helm "$@" ;;
  -h|--help|help) usage ;;
  *) echo "usage: $0 install|path|status|run ARGS..." >&2; exit 2 ;;
esac
