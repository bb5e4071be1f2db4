#!/usr/bin/env bash
# A real SQS-compatible server (ElasticMQ 1.7.x) on 127.0.0.1, its jars resolved from Maven Central
# by Maven (infra/sqs/pom.xml); needs only a JDK (17+) and mvn. In memory: queues live until it stops.
#
#   infra/sqs/sqs.sh up        install once (cold: ~20 s of Maven downloads), start the server on
#                              SQS_PORT (default 19324; when that port is taken by another process
#                              and SQS_PORT is unset, a free loopback port), wait until it answers
#                              ListQueues, then print its environment (see env)
#   infra/sqs/sqs.sh down      stop it (down --purge: also delete its log)
#   infra/sqs/sqs.sh restart   down + up
#   infra/sqs/sqs.sh status    exit 0 running, 3 stopped
#   infra/sqs/sqs.sh wait      wait until it answers (SQS_WAIT_TIMEOUT, default 60 s)
#   infra/sqs/sqs.sh install   only resolve the jars (no start)
#   infra/sqs/sqs.sh env       print the environment (eval "$(infra/sqs/sqs.sh env)"):
#                                SQS_REGION=us-east-1
#                                SQS_ACCESS_KEY=flowlog         any key and secret are accepted
#                                SQS_SECRET_KEY=flowlog-secret
#                                SQS_ENDPOINT=http://127.0.0.1:19324
#   infra/sqs/sqs.sh logs      print the server log's last lines (LINES=N, default 30)
#
# Environment:
#   FLOWLOG_INFRA_DIR  state root (default ~/.cache/flowlog/infra); this server's state is in its
#                      sqs/ folder: lib/ jars, elasticmq.conf, sqs.log, sqs.pid, port
#   SQS_PORT (19324), SQS_WAIT_TIMEOUT (60), SQS_HEAP_OPTS ("-Xmx256m -Xms64m")
#   SQS_MVN_ARGS       extra Maven arguments, e.g. -Dmaven.repo.local=/tmp/m2 (default repo: ~/.m2)
set -euo pipefail

SERVICE=sqs
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DEFAULT_PORT=19324
REGION="us-east-1"
WAIT_TIMEOUT="${SQS_WAIT_TIMEOUT:-60}"
HEAP_OPTS="${SQS_HEAP_OPTS:--Xmx256m -Xms64m}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

POM="$SCRIPT_DIR/pom.xml"
LIB_DIR="$STATE/lib"
CONFIG="$STATE/elasticmq.conf"
PID_FILE="$STATE/sqs.pid"
PORT_FILE="$STATE/port"
LOG_FILE="$STATE/sqs.log"
INSTALL_LOG="$STATE/install.log"

SERVER_NAME=ElasticMQ
DOWN_AFTER=("$PORT_FILE")
PURGE_FILES=("$LOG_FILE" "$CONFIG")
PURGE_NOTE="the log (jars kept in $LIB_DIR; delete $STATE to drop them too)"

# The port of the running server (recorded at its start), else the one asked for.
port() {
  if [ -z "${SQS_PORT:-}" ] && running_pid >/dev/null && [ -s "$PORT_FILE" ]; then tr -dc '0-9' < "$PORT_FILE"; else echo "${SQS_PORT:-$DEFAULT_PORT}"; fi
}

# Running = the pid in the pid file is alive and is an ElasticMQ JVM on our config (guards against pid reuse).
running_pid() {
  local pid cmdline
  pid="$(read_pid)"
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmdline="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
  case "$cmdline" in
    *"$CONFIG"*org.elasticmq.server.Main*) echo "$pid" ;;
    *) return 1 ;;
  esac
}

print_env() {
  echo "SQS_REGION=$REGION"
  echo "SQS_ACCESS_KEY=flowlog"
  echo "SQS_SECRET_KEY=flowlog-secret"
  echo "SQS_ENDPOINT=http://$HOST:$(port)"
}

# A free loopback port, from the kernel (bind to port 0).
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
  else
    node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  fi
}

install_jars() {
  ensure_state
  command -v "$JAVA" >/dev/null 2>&1 || die "'$JAVA' not found (PATH / JAVA_HOME): ElasticMQ needs a JDK 17+"
  maven_jars "$POM" "$LIB_DIR" 'elasticmq-server_2.13-*.jar' "${SQS_MVN_ARGS:-}"
}

# Answers ListQueues with HTTP 200.
answers() {
  local p; p="$(port)"
  if command -v curl >/dev/null 2>&1; then
    [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://$HOST:$p/?Action=ListQueues" 2>/dev/null || true)" = 200 ]
  else
    port_open "$p"
  fi
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "sqs: running (ElasticMQ, pid $pid) at http://$HOST:$(port)"
    return 0
  fi
  echo "sqs: stopped"
  return 3
}

cmd_wait() {
  local deadline pid
  deadline=$(( $(date +%s) + WAIT_TIMEOUT ))
  until answers; do
    pid="$(read_pid)"
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      log_tail 30
      die "the server process (pid $pid) has exited"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log_tail 30
      die "timed out waiting for ElasticMQ on http://$HOST:$(port) after ${WAIT_TIMEOUT}s"
    fi
    sleep 0.3
  done
}

cmd_up() {
  local pid start p
  take_lock
  if pid="$(running_pid)"; then
    say "already running (pid $pid) at http://$HOST:$(port)"
    cmd_wait
    print_env
    return 0
  fi
  install_jars
  p="${SQS_PORT:-$DEFAULT_PORT}"
  if port_open "$p"; then
    [ -z "${SQS_PORT:-}" ] || die "port $HOST:$p is already in use by another process (not the ElasticMQ of $STATE); stop it or set SQS_PORT"
    p="$(free_port)"
    say "port $HOST:$DEFAULT_PORT is taken by another process: using the free port $p"
  fi
  echo "$p" > "$PORT_FILE"
  # strict limits: what AWS SQS itself allows (message sizes, batch sizes, wait times)
  cat > "$CONFIG" <<CONF
include classpath("application.conf")
node-address { protocol = http, host = "$HOST", port = $p, context-path = "" }
rest-sqs { enabled = true, bind-port = $p, bind-hostname = "$HOST", sqs-limits = strict }
rest-stats { enabled = false }
aws { region = $REGION, accountId = "000000000000" }
CONF
  start=$(date +%s)
  echo "==== $(date -u +%Y-%m-%dT%H:%M:%SZ) starting ElasticMQ on $HOST:$p" >> "$LOG_FILE"
  # shellcheck disable=SC2086  # HEAP_OPTS is a list of flags
  setsid "$JAVA" $HEAP_OPTS -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Dconfig.file="$CONFIG" \
    -cp "$LIB_DIR/*" org.elasticmq.server.Main >> "$LOG_FILE" 2>&1 < /dev/null 8>&- 9>&- &
  echo $! > "$PID_FILE"
  say "started ElasticMQ (pid $(read_pid)), waiting for it to answer on http://$HOST:$p"
  SQS_PORT="$p" cmd_wait
  say "up in $(( $(date +%s) - start )) s (log $LOG_FILE)"
  print_env
}

cmd_install() { install_jars; say "installed: $LIB_DIR ($(ls "$LIB_DIR"/*.jar | wc -l) jars)"; }

server_main "$@"
