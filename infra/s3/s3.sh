#!/usr/bin/env bash
# A real S3-compatible server (MinIO, built from the Go module proxy) on 127.0.0.1.
#
#   infra/s3/s3.sh up        build MinIO once (cold: ~3 min on 2 cores), start it, wait until it
#                            answers S3, print S3_ENDPOINT/S3_ACCESS_KEY/S3_SECRET_KEY/S3_REGION
#   infra/s3/s3.sh down      stop it, keep the data          (down --purge: also delete data + log)
#   infra/s3/s3.sh restart   down (data kept) + up
#   infra/s3/s3.sh status    exit 0 running, 3 stopped
#   infra/s3/s3.sh wait      wait until it answers S3 requests (S3_WAIT_TIMEOUT, default 120 s)
#   infra/s3/s3.sh install   only build/install the binary (no start)
#   infra/s3/s3.sh env       print the S3_* lines (eval "$(infra/s3/s3.sh env)")
#   infra/s3/s3.sh logs      print the server log's last lines (LINES=N, default 30)
#
# Environment: FLOWLOG_INFRA_DIR (state root, default ~/.cache/flowlog/infra), S3_PORT (19000),
# S3_CONSOLE_PORT (19001), S3_ACCESS_KEY (flowlog), S3_SECRET_KEY (flowlog-secret-key),
# MINIO_MODULE_VERSION (pinned below), S3_KEEP_GO_CACHE=1 (keep the ~2 GB Go build caches),
# S3_WAIT_TIMEOUT (120). Every MINIO_* variable set when `up` runs (e.g. the
# MINIO_NOTIFY_KAFKA_*_<ID> bucket-notification targets) is handed to the server. See README.md.
set -euo pipefail

SERVICE=s3
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# MinIO publishes no semver tags, so `@latest` is a pseudo-version of the newest commit. Pinned to
# the one that was `@latest` when this was written (2026-02-12, builds with Go 1.24+, checked with
# Go 1.26.8) so that CI builds the same server every time; override with MINIO_MODULE_VERSION=latest.
MINIO_MODULE="github.com/minio/minio"
MINIO_MODULE_VERSION="${MINIO_MODULE_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"

PORT="${S3_PORT:-19000}"
CONSOLE_PORT="${S3_CONSOLE_PORT:-19001}"
ACCESS_KEY="${S3_ACCESS_KEY:-flowlog}"
SECRET_KEY="${S3_SECRET_KEY:-flowlog-secret-key}"
REGION="us-east-1"
ENDPOINT="http://$HOST:$PORT"
WAIT_TIMEOUT="${S3_WAIT_TIMEOUT:-120}"

go_binary minio
DATA_DIR="$STATE/data"
PID_FILE="$STATE/minio.pid"
LOG_FILE="$STATE/minio.log"

SERVER_NAME=MinIO
PURGE_FILES=("$DATA_DIR" "$LOG_FILE")
PURGE_NOTE="data and log (binary kept in $BIN_DIR; delete $STATE to drop it too)"

# --- process helpers --------------------------------------------------------------------------


# Running = the pid in the pid file is alive and is our minio binary (guards against pid reuse).
running_pid() {
  local pid; pid="$(read_pid)"
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$BIN")" ] || return 1
  echo "$pid"
}

# Alive and not a zombie (whatever the binary: right after the start it may still be `setsid`).
proc_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state; state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != "Z" ]
}


# HTTP status code of a GET (000 when nothing answers).
http_code() {
  local url="$1"
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -m 5 -w '%{http_code}' "$url" 2>/dev/null || true
  else
    # Fallback without curl: a bare HTTP/1.0 request over bash's /dev/tcp.
    local path="/${url#http://*/}" line=""
    [ "$url" = "${url#http://*/}" ] && path="/"
    line="$(exec 2>/dev/null 3<>"/dev/tcp/$HOST/$PORT" \
      && printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$path" "$HOST" "$PORT" >&3 \
      && timeout 5 head -n1 <&3)" || true
    line="${line#HTTP/* }"; echo "${line:0:3}" | grep -E '^[0-9]{3}$' || echo 000
  fi
}


print_env() {
  echo "S3_ENDPOINT=$ENDPOINT"
  echo "S3_ACCESS_KEY=$ACCESS_KEY"
  echo "S3_SECRET_KEY=$SECRET_KEY"
  echo "S3_REGION=$REGION"
}

# --- install ----------------------------------------------------------------------------------

install_minio() {
  go_install minio "$MINIO_MODULE@$MINIO_MODULE_VERSION" "$MINIO_MODULE_VERSION" S3_KEEP_GO_CACHE \
    "MinIO is built from the Go module proxy and needs Go >= 1.24 (go.mod: go 1.24.0)" \
    "cold build takes ~3 min on 2 cores, ~1.5 GB RAM"
}

# --- commands ---------------------------------------------------------------------------------

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "s3: running (MinIO, pid $pid) at $ENDPOINT, data $DATA_DIR"
    return 0
  fi
  echo "s3: stopped"
  return 3
}

cmd_wait() {
  local deadline code pid
  deadline=$(( $(date +%s) + WAIT_TIMEOUT ))
  while :; do
    # /minio/health/live answers 200 once the server is up; an unsigned ListBuckets (GET /) must
    # then be refused with 403 AccessDenied by the S3 layer itself.
    code="$(http_code "$ENDPOINT/minio/health/live")"
    if [ "$code" = "200" ] && [ "$(http_code "$ENDPOINT/")" = "403" ]; then
      return 0
    fi
    pid="$(read_pid)"
    if [ -n "$pid" ] && ! proc_alive "$pid"; then
      say "the server process (pid $pid) has exited"
      log_tail 30
      die "MinIO is not running"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "no S3 answer from $ENDPOINT after ${WAIT_TIMEOUT}s (last health code: $code)"
      log_tail 30
      die "timed out waiting for MinIO"
    fi
    sleep 0.5
  done
}

cmd_up() {
  local pid start
  [ "${#ACCESS_KEY}" -ge 3 ] || die "S3_ACCESS_KEY must have at least 3 characters (MinIO rule)"
  [ "${#SECRET_KEY}" -ge 8 ] || die "S3_SECRET_KEY must have at least 8 characters (MinIO rule)"
  take_lock
  if pid="$(running_pid)"; then
    say "already running (pid $pid)"
    cmd_wait
    print_env
    return 0
  fi
  install_minio
  if port_open "$PORT"; then
    die "port $HOST:$PORT is already in use by another process (not the MinIO of $STATE); stop it or set S3_PORT"
  fi
  mkdir -p "$DATA_DIR"
  start=$(date +%s)
  {
    echo "==== $(date -u +%Y-%m-%dT%H:%M:%SZ) starting MinIO ($MINIO_MODULE_VERSION) on $HOST:$PORT"
    env | grep -E '^MINIO_NOTIFY_' | sed 's/=.*//' | sed 's/^/==== passing through /' || true
  } >> "$LOG_FILE"
  # Everything in the caller's environment, including any MINIO_* variable (bucket-notification
  # targets such as MINIO_NOTIFY_KAFKA_ENABLE_<ID>=on), is inherited by the server. setsid so the
  # server outlives this script and its process group.
  MINIO_ROOT_USER="$ACCESS_KEY" \
  MINIO_ROOT_PASSWORD="$SECRET_KEY" \
  MINIO_SITE_REGION="$REGION" \
  MINIO_BROWSER="${MINIO_BROWSER:-off}" \
  MINIO_UPDATE="${MINIO_UPDATE:-off}" \
  MINIO_CALLHOME_ENABLE="${MINIO_CALLHOME_ENABLE:-off}" \
    setsid "$BIN" server \
      --address "$HOST:$PORT" --console-address "$HOST:$CONSOLE_PORT" \
      "$DATA_DIR" >> "$LOG_FILE" 2>&1 < /dev/null 9>&- &
  echo $! > "$PID_FILE"
  say "started MinIO (pid $(read_pid)), waiting for it to answer S3 on $ENDPOINT"
  cmd_wait
  say "up in $(( $(date +%s) - start )) s (data $DATA_DIR, log $LOG_FILE)"
  local notify; notify="$(env | grep -E '^MINIO_NOTIFY_[A-Z]+_ENABLE' | sed 's/=.*//' | tr '\n' ' ' || true)"
  [ -z "$notify" ] || say "notification targets from the environment: $notify"
  print_env
}

cmd_install() { install_minio; say "installed: $BIN ($(cat "$VERSION_FILE"))"; }

after_wait() { say "answering S3 at $ENDPOINT"; }

server_main "$@"
