#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft mode) for development and CI.
#
#   scripts/kafka.sh install   resolve the broker's jars with Maven into scripts/kafka/lib
#   scripts/kafka.sh start     install if needed, format storage once, start, wait, create topics
#   scripts/kafka.sh stop      stop the broker cleanly (SIGTERM, then wait)
#   scripts/kafka.sh status    exit 0 when the broker answers on its port
#   scripts/kafka.sh reset     stop and delete the broker's data
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HOME (.data/kafka).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
runtime="$here/kafka"
lib="$runtime/lib"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
home="${KAFKA_HOME:-$root/.data/kafka}"
config="$home/server.properties"
pidfile="$home/broker.pid"
logfile="$home/broker.log"

log() { printf '[kafka] %s\n' "$*" >&2; }

install() {
  if [ -f "$lib/kafka_2.13-4.3.1.jar" ] && [ -f "$lib/slf4j-api-2.0.17.jar" ]; then return; fi
  log "resolving Apache Kafka 4.3.1 with Maven"
  (cd "$runtime" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=lib -DincludeScope=runtime)
}

kafka_java() {
  java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$runtime/log4j2.yaml" \
    -cp "$lib/*" "$@"
}

write_config() {
  mkdir -p "$home/data"
  cat >"$config" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${controller_port}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${home}/data
num.partitions=12
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
PROPS
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null
}

create_topics() {
  # One node process and one admin request for all topics of libs/contracts/src/topics.ts (not a JVM per topic).
  node "$here/kafka/create-topics.mjs" "127.0.0.1:${port}"
}

start() {
  install
  if running; then log "already running (pid $(cat "$pidfile"))"; create_topics; return; fi
  if answers; then
    # Another broker (another checkout's, or a system one) already serves this port: use it.
    log "a broker already answers on 127.0.0.1:${port}; using it (set KAFKA_PORT to run a separate one)"
    create_topics
    return
  fi
  write_config
  if [ ! -f "$home/data/meta.properties" ]; then
    log "formatting KRaft storage in $home/data"
    kafka_java kafka.tools.StorageTool format --standalone \
      -t "$(kafka_java kafka.tools.StorageTool random-uuid)" -c "$config" >/dev/null
  fi
  log "starting broker on 127.0.0.1:${port}"
  nohup java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$runtime/log4j2.yaml" -Dkafka.logs.dir="$home" \
    -cp "$lib/*" kafka.Kafka "$config" >"$logfile" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 600); do
    if ! running; then log "broker exited; last lines of $logfile:"; tail -n 30 "$logfile" >&2; exit 1; fi
    if answers && grep -q "Kafka Server started" "$logfile"; then
      create_topics
      log "ready (pid $(cat "$pidfile"))"
      return
    fi
    sleep 0.2
  done
  log "broker did not become ready in 120 s; see $logfile"
  exit 1
}

stop() {
  if ! running; then log "not running"; rm -f "$pidfile"; return; fi
  local pid
  pid="$(cat "$pidfile")"
  log "stopping broker (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    if ! kill -0 "$pid" 2>/dev/null; then rm -f "$pidfile"; log "stopped"; return; fi
    sleep 1
  done
  log "broker did not stop in 60 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) answers && running ;;
  reset) stop; rm -rf "$home" ;;
  *) echo "usage: $0 install|start|stop|status|reset" >&2; exit 2 ;;
esac
