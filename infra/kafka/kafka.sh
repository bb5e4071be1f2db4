#!/usr/bin/env bash
# A real single-node Apache Kafka broker (3.9.x, KRaft combined broker+controller) on 127.0.0.1,
# its jars resolved from Maven Central by Maven (infra/kafka/pom.xml); needs only a JDK (17+) and mvn.
#
#   infra/kafka/kafka.sh up        install once (cold: ~1 min, mostly Maven downloads), format the
#                                  KRaft storage on first use, start the broker, wait until it
#                                  serves requests on every listener, then print its environment
#                                  (see env; the last line is KAFKA_BROKERS=127.0.0.1:19092).
#                                  A running broker whose server.properties is what this script
#                                  writes now is only probed (its SASL listeners were checked when
#                                  it started); one started with another (an older kafka.sh
#                                  without SASL listeners, other ports) is restarted, data kept.
#   infra/kafka/kafka.sh down      stop it, keep the data      (down --purge: also delete data + log)
#   infra/kafka/kafka.sh restart   down (data kept) + up
#   infra/kafka/kafka.sh status    exit 0 running, 3 stopped
#   infra/kafka/kafka.sh wait      wait until it serves requests and both SASL listeners accept the
#                                  user with every mechanism (KAFKA_WAIT_TIMEOUT, default 120 s)
#   infra/kafka/kafka.sh install   only resolve the jars and compile the probe (no start)
#   infra/kafka/kafka.sh env       print the environment (eval "$(infra/kafka/kafka.sh env)"):
#                                    KAFKA_SASL_BROKERS=127.0.0.1:19094      SASL_PLAINTEXT listener
#                                    KAFKA_SASL_SSL_BROKERS=127.0.0.1:19095  SASL_SSL listener (TLS)
#                                    KAFKA_CA_FILE=<state>/kafka/tls/ca.pem  CA of its certificate
#                                    KAFKA_SASL_USER=flowlog                 the one SASL user and
#                                    KAFKA_SASL_PASSWORD=flowlog-secret      its (test) password
#                                    KAFKA_BROKERS=127.0.0.1:19092           PLAINTEXT, no auth
#   infra/kafka/kafka.sh logs      print the broker log's last lines (LINES=N, default 30)
#
# Listeners: PLAINTEXT (KAFKA_PORT; also the inter-broker one), CONTROLLER (KRaft), SASL_PLAINTEXT
# (KAFKA_SASL_PORT) and SASL_SSL (KAFKA_SASL_SSL_PORT), both with the mechanisms PLAIN,
# SCRAM-SHA-256 and SCRAM-SHA-512 for the one user flowlog / flowlog-secret. PLAIN checks the
# listener's JAAS config; the SCRAM credentials live in the KRaft metadata and are created through
# the Admin API (Probe.java) once the broker serves requests, when missing, so a data dir formatted
# without them gets them too. The SASL_SSL certificate (SAN IP:127.0.0.1, DNS:localhost) and its CA
# are made once with openssl into <state>/kafka/tls/ (ca.pem, server.pem: PEM, which the broker
# reads as ssl.keystore.type=PEM), kept by down --purge, made again only when missing or expiring.
#
# Environment:
#   FLOWLOG_INFRA_DIR  state root (default ~/.cache/flowlog/infra); this broker's state is in its
#                      kafka/ folder: lib/ jars, data/ KRaft + topic data, tls/ PEM files,
#                      kafka.log, kafka.pid, server.properties, sasl.checked
#   KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093), KAFKA_SASL_PORT (19094),
#   KAFKA_SASL_SSL_PORT (19095), KAFKA_WAIT_TIMEOUT (120)
#   KAFKA_HEAP_OPTS ("-Xmx512m -Xms256m"), KAFKA_JVM_OPTS (extra JVM flags)
#   KAFKA_EXTRA_PROPERTIES  lines appended to server.properties, e.g. $'message.max.bytes=2000000'
#   KAFKA_MVN_ARGS     extra Maven arguments, e.g. -Dmaven.repo.local=/tmp/m2 (default repo: ~/.m2)
#   KAFKA_LIB_DIR      where the jars go (default <state>/kafka/lib): lets a second broker with its
#                      own FLOWLOG_INFRA_DIR and ports share the jars of the first instead of
#                      resolving them again
set -euo pipefail

SERVICE=kafka
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
SASL_PORT="${KAFKA_SASL_PORT:-19094}"
SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-19095}"
BROKERS="$HOST:$PORT"
SASL_BROKERS="$HOST:$SASL_PORT"
SASL_SSL_BROKERS="$HOST:$SASL_SSL_PORT"
# the one user of the SASL listeners (PLAIN and SCRAM alike): test credentials, printed by `env`
SASL_USER=flowlog
SASL_PASSWORD=flowlog-secret
SASL_MECHANISMS=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
WAIT_TIMEOUT="${KAFKA_WAIT_TIMEOUT:-120}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
NODE_ID=1
# JAVA_HOME's JDK when set, else the one on PATH
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"

POM="$SCRIPT_DIR/pom.xml"
LOG4J="$SCRIPT_DIR/log4j.properties"
LOG4J_TOOLS="$SCRIPT_DIR/log4j-tools.properties"
PROBE_SRC="$SCRIPT_DIR/Probe.java"
LIB_DIR="${KAFKA_LIB_DIR:-$STATE/lib}"
LIB_STAMP="$LIB_DIR/.pom.sha256"
PROBE_DIR="$LIB_DIR/.probe"
PROBE_STAMP="$PROBE_DIR/.probe.sha256"
DATA_DIR="$STATE/data"
CONFIG="$STATE/server.properties"
CLUSTER_ID_FILE="$STATE/cluster.id"
PID_FILE="$STATE/kafka.pid"
# "<pid> <sha256 of server.properties>" of the broker whose SASL listeners were last checked in full
SASL_CHECKED="$STATE/sasl.checked"
LOG_FILE="$STATE/kafka.log"
INSTALL_LOG="$STATE/install.log"
TLS_DIR="$STATE/tls"
CA_FILE="$TLS_DIR/ca.pem"
SERVER_PEM="$TLS_DIR/server.pem"   # the SASL_SSL listener's key (PKCS#8) + certificate chain
TLS_DAYS=3650

SERVER_NAME=Kafka
# a broker started again is checked again in full
DOWN_FIRST=("$SASL_CHECKED")
PURGE_FILES=("$DATA_DIR" "$LOG_FILE" "$CLUSTER_ID_FILE" "$CONFIG")
PURGE_NOTE="data and log (kept: the jars in $LIB_DIR, the TLS files in $TLS_DIR; delete $STATE to drop them too)"

need_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "'$JAVA' not found (PATH / JAVA_HOME): the broker needs a JDK 17+"
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# --- process helpers --------------------------------------------------------------------------


# Running = the pid in the pid file is alive and is a kafka.Kafka JVM on our server.properties
# (guards against pid reuse).
running_pid() {
  local pid cmdline
  pid="$(read_pid)"
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmdline="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
  case "$cmdline" in
    *kafka.Kafka*"$CONFIG"*) echo "$pid" ;;
    *) return 1 ;;
  esac
}



# KAFKA_BROKERS last: callers take the last line of `up` as the plain broker list.
print_env() {
  echo "KAFKA_SASL_BROKERS=$SASL_BROKERS"
  echo "KAFKA_SASL_SSL_BROKERS=$SASL_SSL_BROKERS"
  echo "KAFKA_CA_FILE=$CA_FILE"
  echo "KAFKA_SASL_USER=$SASL_USER"
  echo "KAFKA_SASL_PASSWORD=$SASL_PASSWORD"
  echo "KAFKA_BROKERS=$BROKERS"
}

classpath() { echo "$LIB_DIR/*"; }

# --- install ----------------------------------------------------------------------------------

jars_installed() {
  [ -f "$LIB_STAMP" ] && [ "$(cat "$LIB_STAMP")" = "$(sha_of "$POM")" ] && compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null
}

probe_installed() {
  [ -f "$PROBE_STAMP" ] && [ "$(cat "$PROBE_STAMP")" = "$(sha_of "$PROBE_SRC")" ] && [ -f "$PROBE_DIR/Probe.class" ]
}

# The jars may be shared by several state dirs (KAFKA_LIB_DIR): installing them takes their own
# lock (fd 8), beside the lib dir.
lock_lib() {
  mkdir -p "$(dirname "$LIB_DIR")"
  exec 8>"$LIB_DIR.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 900 8 || die "could not take the lock $LIB_DIR.lock within 900 s (another kafka.sh installing?)"
  fi
}
unlock_lib() { exec 8>&-; }

# Resolve the broker's jars into $LIB_DIR once; again only when pom.xml changes (lib.sh: maven_jars,
# which also drops the probe compiled against the old jars).
install_jars() {
  ensure_state
  jars_installed && return 0
  need_java
  maven_jars "$POM" "$LIB_DIR" 'kafka_2.13-*.jar' "${KAFKA_MVN_ARGS:-}"
}

# Compile the readiness probe (Probe.java) once against the broker's kafka-clients.
install_probe() {
  probe_installed && return 0
  lock_lib
  if probe_installed; then unlock_lib; return 0; fi
  command -v "$JAVAC" >/dev/null 2>&1 || die "'$JAVAC' not found (PATH / JAVA_HOME): the readiness probe needs a JDK (not only a JRE)"
  rm -rf "$PROBE_DIR"; mkdir -p "$PROBE_DIR"
  "$JAVAC" -nowarn -cp "$(classpath)" -d "$PROBE_DIR" "$PROBE_SRC" >&2 \
    || die "compiling $PROBE_SRC failed"
  sha_of "$PROBE_SRC" > "$PROBE_STAMP"
  unlock_lib
}

install_all() { install_jars; install_probe; }

# --- TLS material of the SASL_SSL listener ----------------------------------------------------

# Present, and the certificate valid for at least one more day (without openssl: trusted as is).
tls_ok() {
  [ -s "$CA_FILE" ] && [ -s "$SERVER_PEM" ] || return 1
  command -v openssl >/dev/null 2>&1 || return 0
  openssl x509 -noout -checkend 86400 -in "$SERVER_PEM" >/dev/null 2>&1
}

# A CA and a server certificate signed by it (EC P-256, SAN IP:127.0.0.1 + DNS:localhost), made once.
# server.pem = unencrypted PKCS#8 key + certificate, what Kafka's ssl.keystore.type=PEM reads.
ensure_tls() {
  tls_ok && return 0
  command -v openssl >/dev/null 2>&1 || die "'openssl' not found on PATH: it makes the TLS certificate of the SASL_SSL listener (once)"
  local tmp="$TLS_DIR.tmp" out rc=0
  rm -rf "$tmp"; mkdir -p "$tmp"
  say "making the SASL_SSL listener's CA and certificate (127.0.0.1, localhost; $TLS_DAYS days) in $TLS_DIR"
  # (one && chain: `set -e` does not hold inside a command substitution whose status is tested)
  out="$(
    exec 2>&1
    cd "$tmp" && umask 077 &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem \
      -days "$TLS_DAYS" -subj "/CN=flowlog test CA, infra-kafka-kafka.sh" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
      -subj "/CN=localhost" &&
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > server.ext &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 15)" \
      -days "$TLS_DAYS" -extfile server.ext -out server.crt &&
    cat server.key server.crt > server.pem &&
    chmod 644 ca.pem &&
    rm -f ca.key server.key server.csr server.ext server.crt   # nothing is signed with the CA again
  )" || rc=$?
  if [ "$rc" -ne 0 ] || ! grep -q 'BEGIN PRIVATE KEY' "$tmp/server.pem" || ! grep -q 'BEGIN CERTIFICATE' "$tmp/server.pem"; then
    echo "$out" | tail -n 20 >&2
    die "making the TLS material with openssl failed (exit $rc)"
  fi
  rm -rf "$TLS_DIR"
  mv "$tmp" "$TLS_DIR"
}

# --- config + storage -------------------------------------------------------------------------

# The broker's server.properties, on stdout (write_config writes it; `up` compares a running
# broker's with it).
render_config() {
  cat <<EOF
# Written by infra/kafka/kafka.sh on every start: edits here are lost (use KAFKA_EXTRA_PROPERTIES).
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.voters=$NODE_ID@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT,SASL_PLAINTEXT://$HOST:$SASL_PORT,SASL_SSL://$HOST:$SASL_SSL_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,SASL_PLAINTEXT://$HOST:$SASL_PORT,SASL_SSL://$HOST:$SASL_SSL_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
log.dirs=$DATA_DIR

# SASL_PLAINTEXT and SASL_SSL: one user, $SASL_USER. PLAIN checks the JAAS user_<name> options;
# SCRAM checks credentials in the KRaft metadata, which kafka.sh wait/up create (Probe.java).
sasl.enabled.mechanisms=$SASL_MECHANISMS
$(for l in sasl_plaintext sasl_ssl; do
  echo "listener.name.$l.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER=\"$SASL_PASSWORD\";"
  echo "listener.name.$l.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
  echo "listener.name.$l.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;"
done)
# SASL_SSL: TLS with the certificate of $SERVER_PEM (CA: $CA_FILE), no client certificates
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$SERVER_PEM
listener.name.sasl_ssl.ssl.client.auth=none
# sha256 of that file, so that a new certificate makes \`up\` restart a running broker: $(sha_of "$SERVER_PEM")

# single node: every internal topic has one replica
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
default.replication.factor=1
min.insync.replicas=1

group.initial.rebalance.delay.ms=0
# A broker killed with SIGKILL stays registered until its session expires (default 9 s); a new
# start waits that long (DUPLICATE_BROKER_REGISTRATION). Shorter here; a clean stop is not affected.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=5000
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=3

# small machine (2 cores)
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.retention.check.interval.ms=300000
EOF
  if [ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]; then
    printf '\n# KAFKA_EXTRA_PROPERTIES\n%s\n' "$KAFKA_EXTRA_PROPERTIES"
  fi
}

write_config() {
  mkdir -p "$DATA_DIR"
  render_config > "$CONFIG.tmp"
  mv -f "$CONFIG.tmp" "$CONFIG"
}

# A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what
# `kafka-storage random-uuid` prints; like Kafka, never one starting with '-').
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    case "$id" in -*) ;; *) echo "$id"; return 0 ;; esac
  done
}

# `kafka-storage.sh format` on first use (the data dir keeps meta.properties afterwards).
format_storage() {
  [ -f "$DATA_DIR/meta.properties" ] && return 0
  local cid rc=0 out
  if [ -s "$CLUSTER_ID_FILE" ]; then cid="$(cat "$CLUSTER_ID_FILE")"; else cid="$(new_cluster_id)"; echo "$cid" > "$CLUSTER_ID_FILE"; fi
  say "formatting the KRaft storage in $DATA_DIR (cluster id $cid)"
  # Static quorum (controller.quorum.voters): 3.9's StorageTool refuses --standalone with it.
  out="$("$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j.configuration="file:$LOG4J_TOOLS" -cp "$(classpath)" kafka.tools.StorageTool \
          format -t "$cid" -c "$CONFIG" 2>&1)" || rc=$?
  { echo "==== $(date -u +%Y-%m-%dT%H:%M:%SZ) kafka-storage format -t $cid"; echo "$out"; } >> "$LOG_FILE"
  if [ "$rc" -ne 0 ]; then
    # (skip the config dump KafkaConfig logs: lines "\t<name> = <value>")
    echo "$out" | grep -Ev $'^\t[A-Za-z0-9._-]+ = ' | tail -n 30 >&2
    die "formatting the KRaft storage failed (exit $rc)"
  fi
}

# --- commands ---------------------------------------------------------------------------------

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "kafka: running (pid $pid) at $BROKERS, SASL $SASL_BROKERS, SASL+TLS $SASL_SSL_BROKERS, controller $HOST:$CONTROLLER_PORT, data $DATA_DIR"
    return 0
  fi
  echo "kafka: stopped (would listen on $BROKERS, SASL $SASL_BROKERS, SASL+TLS $SASL_SSL_BROKERS)"
  return 3
}

# Wait until the broker serves requests, its SCRAM credentials exist and both SASL listeners accept
# the user with every mechanism. --quick (a warm `up`): the SASL part only when not yet done for
# this broker process and configuration (it costs ~0.5 s of handshakes and class loading).
cmd_wait() {
  local deadline pid="" remaining rc=0 out quick=0 stamp="" sasl_args
  [ "${1:-}" = --quick ] && quick=1
  deadline=$(( $(date +%s) + WAIT_TIMEOUT ))
  pid="$(running_pid || true)"
  # 1. the port accepts connections (cheap, no JVM)
  until port_open "$PORT"; do
    if [ -s "$PID_FILE" ] && ! running_pid >/dev/null; then
      say "the broker process (pid $(read_pid)) has exited"
      log_tail 30
      die "Kafka is not running (log: $LOG_FILE)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      say "nothing listens on $BROKERS after ${WAIT_TIMEOUT}s"
      log_tail 30
      die "timed out waiting for Kafka (log: $LOG_FILE)"
    fi
    sleep 0.3
  done
  # 2. it answers metadata: a registered broker, a KRaft leader, a topic listing; then the SCRAM
  #    credentials exist and the SASL listeners accept the user with every mechanism (Probe.java)
  jars_installed || die "the Kafka jars are not installed in $LIB_DIR: run 'kafka.sh up' (or 'install') first"
  install_probe
  [ -s "$CA_FILE" ] || die "no CA file $CA_FILE: run 'kafka.sh up' (or restart) to make the SASL_SSL listener's TLS material"
  sasl_args=(--sasl "$SASL_USER" "$SASL_PASSWORD" "$SASL_BROKERS" "$SASL_SSL_BROKERS" "$CA_FILE")
  if [ -n "$pid" ] && [ -f "$CONFIG" ]; then
    stamp="$pid $(sha_of "$CONFIG")"
    if [ "$quick" = 1 ] && [ "$(cat "$SASL_CHECKED" 2>/dev/null)" = "$stamp" ]; then sasl_args=(); fi
  fi
  remaining=$(( deadline - $(date +%s) )); [ "$remaining" -ge 5 ] || remaining=5
  out="$("$JAVA" -Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j.configuration="file:$LOG4J_TOOLS" \
          -cp "$PROBE_DIR:$(classpath)" Probe "$BROKERS" "$remaining" "$pid" ${sasl_args[@]+"${sasl_args[@]}"} 2>&1)" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "$out" | grep -v '^ready:' | tail -n 8 >&2 || true
    log_tail 30
    if [ "$rc" -eq 2 ]; then die "Kafka exited while starting (log: $LOG_FILE)"; fi
    if [ "$rc" -eq 3 ]; then
      die "Kafka at $BROKERS serves requests, but its SASL listeners ($SASL_BROKERS, $SASL_SSL_BROKERS) did not accept $SASL_USER (see the probe's lines above; a broker started by an older kafka.sh? 'kafka.sh restart'; log: $LOG_FILE)"
    fi
    die "Kafka at $BROKERS did not serve requests within ${WAIT_TIMEOUT}s (log: $LOG_FILE)"
  fi
  say "$(echo "$out" | grep '^ready:' | tail -n 1)"
  if [ "${#sasl_args[@]}" -gt 0 ]; then
    say "$(echo "$out" | grep '^sasl:' | tail -n 1)"
    if [ -n "$stamp" ]; then echo "$stamp" > "$SASL_CHECKED.tmp" && mv -f "$SASL_CHECKED.tmp" "$SASL_CHECKED"; fi
  else
    say "sasl: $SASL_BROKERS, $SASL_SSL_BROKERS checked when this broker (pid $pid) started"
  fi
}

cmd_up() {
  local pid start p
  take_lock
  if pid="$(running_pid)"; then
    ensure_tls
    if render_config | cmp -s - "$CONFIG"; then
      say "already running (pid $pid) at $BROKERS"
      cmd_wait --quick
      print_env
      return 0
    fi
    say "the running broker (pid $pid) was started with another configuration than this kafka.sh writes now (an older kafka.sh without the SASL listeners, other ports or KAFKA_EXTRA_PROPERTIES, new TLS files): restarting it, data kept"
    cmd_down
  fi
  need_java
  install_all
  for p in PORT CONTROLLER_PORT SASL_PORT SASL_SSL_PORT; do
    if port_open "${!p}"; then
      die "port $HOST:${!p} is already in use by another process (not the broker of $STATE); stop it or set KAFKA_$p"
    fi
  done
  ensure_tls
  write_config
  format_storage
  start=$(date +%s)
  echo "==== $(date -u +%Y-%m-%dT%H:%M:%SZ) starting Kafka on $BROKERS, SASL $SASL_BROKERS, SASL_SSL $SASL_SSL_BROKERS (controller $HOST:$CONTROLLER_PORT)" >> "$LOG_FILE"
  # shellcheck disable=SC2086  # HEAP_OPTS / KAFKA_JVM_OPTS are lists of flags
  setsid "$JAVA" $HEAP_OPTS \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$LOG4J" -Dkafka.logs.dir="$STATE" \
    ${KAFKA_JVM_OPTS:-} \
    -cp "$(classpath)" kafka.Kafka "$CONFIG" >> "$LOG_FILE" 2>&1 < /dev/null 8>&- 9>&- &
  echo $! > "$PID_FILE"
  say "started Kafka (pid $(read_pid)), waiting for it to serve requests on $BROKERS, $SASL_BROKERS and $SASL_SSL_BROKERS"
  cmd_wait
  say "up in $(( $(date +%s) - start )) s (data $DATA_DIR, log $LOG_FILE)"
  print_env
}

cmd_install() { install_all; say "installed: $LIB_DIR ($(ls "$LIB_DIR"/*.jar | wc -l) jars)"; }

server_main "$@"
