# Helpers shared by the infra scripts (sourced, not run). The caller sets SERVICE (its name in
# messages and its state dir's) before sourcing this file; a server also sets PID_FILE and LOG_FILE
# and defines the commands server_main dispatches to.

# The calling script's folder, and its state dir: outside the clone, so a fresh clone (CI) reuses
# what an earlier one built; infra/servers.ts says the same.
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
INFRA_DIR="${FLOWLOG_INFRA_DIR:-$HOME/.cache/flowlog/infra}"
STATE="$INFRA_DIR/$SERVICE"
HOST="127.0.0.1"

say() { echo "$SERVICE: $*" >&2; }
die() { echo "$SERVICE: error: $*" >&2; exit 1; }

# The caller's header comment, from line 2 down to `set -euo`, is its usage text.
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

ensure_state() {
  mkdir -p "$STATE"
  # Keep the state (binaries, data, logs) out of git without touching the repo's .gitignore.
  [ -e "$INFRA_DIR/.gitignore" ] || printf '*\n' > "$INFRA_DIR/.gitignore"
}

# Serialise up/down/install of one state dir (two `up`s at once must not install twice or start two
# servers). The lock is fd 9; the server is started with fd 9 closed so it does not keep holding it.
take_lock() {
  ensure_state
  exec 9>"$STATE/.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 900 9 || die "could not take the lock $STATE/.lock within 900 s (another $SERVICE.sh up/install running?)"
  fi
}

read_pid() { [ -s "$PID_FILE" ] && tr -dc '0-9' < "$PID_FILE" || true; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

log_tail() {
  local n="${1:-30}"
  if [ -s "$LOG_FILE" ]; then
    echo "---- last $n lines of $LOG_FILE ----" >&2
    tail -n "$n" "$LOG_FILE" >&2
    echo "----" >&2
  else
    echo "(no $SERVICE log at $LOG_FILE)" >&2
  fi
}

# The commands of a server script: up, down [--purge], restart, status, wait, install, env, logs.
# The caller defines cmd_up, cmd_status, cmd_wait, cmd_install (run under the lock), print_env and
# running_pid, and sets SERVER_NAME (the server in messages) and for `down`: DOWN_FIRST (files
# removed before the server is stopped), DOWN_AFTER (after), PURGE_FILES and PURGE_NOTE (what
# --purge deletes, and what it says it kept).
server_main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    up)      cmd_up ;;
    down)    take_lock; cmd_down "$@" ;;
    restart) take_lock; cmd_down; cmd_up ;;
    status)  cmd_status ;;
    wait)    cmd_wait; after_wait ;;
    install) take_lock; cmd_install ;;
    env)     print_env ;;
    logs)    log_tail "${LINES:-30}" ;;
    -h|--help|help) usage ;;
    *) echo "usage: $0 up|down [--purge]|restart|status|wait|install|env|logs" >&2; exit 2 ;;
  esac
}

# What `wait` prints once the server answers (a script may define its own after sourcing this).
after_wait() { print_env; }

DOWN_FIRST=() DOWN_AFTER=() PURGE_FILES=() PURGE_NOTE=""

cmd_down() {
  [ ${#DOWN_FIRST[@]} -eq 0 ] || rm -f "${DOWN_FIRST[@]}"
  stop_server "$SERVER_NAME" "$@"
  [ ${#DOWN_AFTER[@]} -eq 0 ] || rm -f "${DOWN_AFTER[@]}"
  if [ "$PURGE" = 1 ]; then
    rm -rf "${PURGE_FILES[@]}"
    say "purged $PURGE_NOTE"
  fi
}

# `down [--purge]`: stop the server (TERM, then KILL after 20 s) and drop the pid file; sets PURGE=1
# when --purge was asked (the caller knows what its purge deletes). Needs running_pid from the caller.
stop_server() {
  local name="$1"; shift
  local pid i
  PURGE=0
  for a in "$@"; do
    case "$a" in
      --purge) PURGE=1 ;;
      *) die "down: unknown option '$a' (only --purge)" ;;
    esac
  done
  if pid="$(running_pid)"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      say "pid $pid did not stop within 20 s, killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
    say "stopped $name (pid $pid)"
  else
    say "not running"
  fi
  rm -f "$PID_FILE"
}

# Where a binary built by go_build lives, under the state dir: go_binary NAME (sets BIN_DIR, BIN,
# VERSION_FILE, BUILD_LOG, GO_DIR).
go_binary() {
  BIN_DIR="$STATE/bin"
  BIN="$BIN_DIR/$1"
  VERSION_FILE="$BIN_DIR/$1.version"
  BUILD_LOG="$STATE/build.log"
  GO_DIR="$STATE/go"
}

# Whether go_binary's binary is there, built at VERSION: go_installed VERSION
go_installed() { [ -x "$BIN" ] && [ "$(cat "$VERSION_FILE" 2>/dev/null || true)" = "$1" ]; }

# Builds the binary unless it is there at VERSION already:
#   go_install NAME PACKAGE@VERSION VERSION KEEP_CACHE_VARIABLE NEEDS [COST]
# NEEDS says what needs Go and which Go (the error when there is none); COST, what a cold build takes.
go_install() {
  local name="$1" pkg="$2" version="$3" keep="$4" needs="$5" cost="${6:-}"
  ensure_state
  go_installed "$version" && return 0
  command -v go >/dev/null 2>&1 || die "'go' not found on PATH: $needs"

  say "building $pkg with $(go env GOVERSION) (${cost:+$cost; }log: $BUILD_LOG)"
  go_build "$name" "$pkg" "$version" "$keep"
}

# Builds one Go command from the Go module proxy into $BIN, and records $VERSION_FILE:
#   go_build NAME PACKAGE@VERSION VERSION KEEP_CACHE_VARIABLE
# Uses go_binary's BIN_DIR, BIN, VERSION_FILE, BUILD_LOG and GO_DIR, under STATE. The module and
# build caches are private, under the state dir (the build neither depends on nor fills the user's
# ones, and CI caches them with it); static (CGO off), stripped. The caches are removed after a
# build unless the variable named by KEEP_CACHE_VARIABLE is 1.
go_build() {
  local name="$1" pkg="$2" version="$3" keep="${4:-}" start tmp_bin rc=0
  start=$(date +%s)
  tmp_bin="$STATE/bin.tmp"
  rm -rf "$tmp_bin"; mkdir -p "$tmp_bin" "$GO_DIR"
  (
    export GOBIN="$tmp_bin" GOPATH="$GO_DIR/path" GOMODCACHE="$GO_DIR/mod" GOCACHE="$GO_DIR/cache"
    export CGO_ENABLED=0 GOFLAGS="-trimpath" GO111MODULE=on
    go install -ldflags "-s -w" "$pkg"
  ) > "$BUILD_LOG" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] || [ ! -x "$tmp_bin/$name" ]; then
    echo "---- last 40 lines of $BUILD_LOG ----" >&2; tail -n 40 "$BUILD_LOG" >&2; echo "----" >&2
    die "building $name failed (exit $rc); see $BUILD_LOG"
  fi
  mkdir -p "$BIN_DIR"
  mv -f "$tmp_bin/$name" "$BIN"
  rm -rf "$tmp_bin"
  echo "$version" > "$VERSION_FILE"
  if [ -z "$keep" ] || [ "${!keep:-0}" != "1" ]; then
    chmod -R u+w "$GO_DIR" 2>/dev/null || true   # the module cache is read-only
    rm -rf "$GO_DIR"
  fi
  say "built $BIN in $(( $(date +%s) - start )) s"
}

# Resolves the jars a pom.xml names from Maven Central into a lib dir, once; again only when the
# pom changes (its hash is kept in the lib dir):
#   maven_jars POM LIB_DIR MARKER_GLOB [MVN_ARGS]
# MARKER_GLOB (e.g. 'kafka_2.13-*.jar') is a jar that must be there once resolved. The lib dir may
# be shared by several state dirs: the install takes its own lock (fd 8), beside the lib dir.
# Uses the calling script's INSTALL_LOG; needs mvn and a JDK.
maven_jars() {
  local pom="$1" lib="$2" marker="$3" args="${4:-}" want start tmp rc=0
  want="$(sha256sum "$pom" | cut -d' ' -f1)"
  maven_jars_ok() { [ "$(cat "$lib/.pom.sha256" 2>/dev/null || true)" = "$want" ] && compgen -G "$lib/$marker" >/dev/null; }
  maven_jars_ok && return 0
  mkdir -p "$(dirname "$lib")"
  exec 8>"$lib.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 900 8 || die "could not take the lock $lib.lock within 900 s (another $SERVICE.sh installing?)"
  fi
  if maven_jars_ok; then exec 8>&-; return 0; fi
  command -v mvn >/dev/null 2>&1 || die "'mvn' not found on PATH: the jars are resolved from Maven Central with Maven 3.6+"
  start=$(date +%s)
  tmp="$lib.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  say "resolving the jars of $pom from Maven Central (log: $INSTALL_LOG)"
  # shellcheck disable=SC2086  # args is a list of Maven arguments
  mvn -B -q -f "$pom" $args dependency:copy-dependencies -DoutputDirectory="$tmp" > "$INSTALL_LOG" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] || ! compgen -G "$tmp/$marker" >/dev/null; then
    echo "---- last 40 lines of $INSTALL_LOG ----" >&2; tail -n 40 "$INSTALL_LOG" >&2; echo "----" >&2
    exec 8>&-
    die "resolving the jars failed (mvn exit $rc); see $INSTALL_LOG"
  fi
  echo "$want" > "$tmp/.pom.sha256"
  rm -rf "$lib"
  mv "$tmp" "$lib"
  exec 8>&-
  say "installed $(ls "$lib"/*.jar | wc -l) jars ($(du -sh "$lib" | cut -f1)) into $lib in $(( $(date +%s) - start )) s"
}
