#!/usr/bin/env bash
# A local multi-node cluster on 127.0.0.1: Redis, three gateway nodes and haproxy with sticky sessions, ready for a
# browser or socket.io-client at one URL.
#
#   deploy/local/cluster.sh up | down | status
#
# Settings (environment): LB_PORT (3000), NODE_PORTS ("3101 3102 3103"), MANAGEMENT_PORTS ("9101 9102 9103"),
# REDIS_PORT (6390), RUN_DIR (deploy/local/.run), DRAIN_WINDOW (ms, 3000), MAX_CONNECTIONS_PER_IP (1000),
# HANDSHAKES_PER_IP (100), LOCAL_PROXY_PROTOCOL (true), LB_MAXCONN (haproxy's maxconn, 8000: each connection
# costs haproxy two descriptors, so one haproxy holds at most half its open-files limit), and any gateway setting
# (AUTH_MODE, ...). JAVA (java) and JAVA_OPTS run the nodes on another JDK or with JVM options ("%n" in JAVA_OPTS
# becomes the node's number, e.g. JAVA_OPTS="-XX:AOTCacheOutput=/tmp/node-%n.aot"). JAVA_OPTS defaults to
# -XX:TieredStopAtLevel=1 (C1 only): three nodes share this machine's cores, where C2's compiling competes with the
# event loops (compat/bench/storm.js: 15,000 clients back in 8.1 to 9.2 s against 12.2 s with C2; JAVA_OPTS="" for
# the JVM's default). haproxy tells the
# nodes each client's address with the PROXY protocol (send-proxy-v2), so per-address limits count clients, not the
# balancer; the nodes' own ports therefore only take connections that start with a PROXY header.
# LOCAL_PROXY_PROTOCOL=false turns that off on both sides, for tests that also reach the nodes directly.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
run="${RUN_DIR:-$here/.run}"
lb_port="${LB_PORT:-3000}"
read -r -a node_ports <<< "${NODE_PORTS:-3101 3102 3103}"
read -r -a management_ports <<< "${MANAGEMENT_PORTS:-9101 9102 9103}"
redis_port="${REDIS_PORT:-6390}"
proxy_protocol="${LOCAL_PROXY_PROTOCOL:-true}"
send_proxy=""
[ "$proxy_protocol" = true ] && send_proxy="send-proxy-v2 "
jar="$root/gateway/target/gateway.jar"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_ready() {
  local port=$1
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "node with management port $port did not become ready" >&2
  return 1
}

up() {
  mkdir -p "$run"
  [ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package)
  if ! alive "$run/redis.pid"; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --pidfile "$run/redis.pid" --logfile "$run/redis.log"
    for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 || { echo "Redis on port $redis_port did not start" >&2; return 1; }
  fi
  for i in "${!node_ports[@]}"; do
    local n=$((i + 1))
    if ! alive "$run/node-$n.pid"; then
      local java_opts="${JAVA_OPTS--XX:TieredStopAtLevel=1}"
      # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
      NODE_ID="node-$n" REDIS_URL="redis://127.0.0.1:$redis_port" SOCKETIO_HOST=127.0.0.1 \
        SOCKETIO_PORT="${node_ports[$i]}" MANAGEMENT_PORT="${management_ports[$i]}" \
        DRAIN_WINDOW="${DRAIN_WINDOW:-3000}" CORS_ORIGINS="${CORS_ORIGINS:-*}" PROXY_PROTOCOL="$proxy_protocol" \
        MAX_CONNECTIONS_PER_IP="${MAX_CONNECTIONS_PER_IP:-1000}" HANDSHAKES_PER_IP="${HANDSHAKES_PER_IP:-100}" \
        nohup "${JAVA:-java}" ${java_opts//%n/$n} -jar "$jar" > "$run/node-$n.log" 2>&1 &
      echo $! > "$run/node-$n.pid"
    fi
  done
  for port in "${management_ports[@]}"; do wait_ready "$port"; done
  write_haproxy_config
  if ! alive "$run/haproxy.pid"; then
    haproxy -f "$run/haproxy.cfg" -D -p "$run/haproxy.pid"
  fi
  local lb_probe="http://127.0.0.1:$lb_port/socket.io/?EIO=4&transport=polling"
  for _ in $(seq 1 50); do curl -fsS "$lb_probe" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "$lb_probe" >/dev/null 2>&1 || { echo "haproxy on port $lb_port does not answer" >&2; return 1; }
  echo "cluster up: http://127.0.0.1:$lb_port (nodes ${node_ports[*]}, Redis $redis_port)"
}

# Long-polling needs every request of a session on the same node: haproxy pins it with a cookie. WebSocket
# connections are single requests and need nothing. A node that turns unready (draining) stops getting new clients.
# Two failed checks mark a node down, each given 2 s to answer: a node that is only busy (a collection, the compiler, a
# loaded test machine) for one check must keep its cookie, since a node marked down has its polling sessions
# redispatched to nodes that do not know them (400 Bad Request).
write_haproxy_config() {
  {
    echo "global"
    echo "  maxconn ${LB_MAXCONN:-8000}"
    echo "defaults"
    echo "  mode http"
    echo "  option redispatch"
    echo "  retries 2"
    echo "  timeout connect 2s"
    echo "  timeout client 60s"
    echo "  timeout server 60s"
    echo "  timeout tunnel 1h"
    echo "  timeout check 2s"
    echo "frontend socketio"
    echo "  bind 127.0.0.1:$lb_port"
    echo "  default_backend gateways"
    echo "backend gateways"
    echo "  balance roundrobin"
    echo "  cookie SRV insert indirect nocache"
    echo "  option httpchk GET /health/ready"
    echo "  http-check expect status 200"
    for i in "${!node_ports[@]}"; do
      local n=$((i + 1))
      echo "  server node-$n 127.0.0.1:${node_ports[$i]} cookie node-$n ${send_proxy}check port ${management_ports[$i]} inter 500ms fall 2 rise 2"
    done
  } > "$run/haproxy.cfg"
}

down() {
  if alive "$run/haproxy.pid"; then kill "$(cat "$run/haproxy.pid")"; fi
  for pidfile in "$run"/node-*.pid; do
    [ -f "$pidfile" ] || continue
    if alive "$pidfile"; then kill -TERM "$(cat "$pidfile")"; fi
  done
  for pidfile in "$run"/node-*.pid; do
    [ -f "$pidfile" ] || continue
    for _ in $(seq 1 100); do alive "$pidfile" || break; sleep 0.2; done
    if alive "$pidfile"; then kill -KILL "$(cat "$pidfile")"; fi
    rm -f "$pidfile"
  done
  if alive "$run/redis.pid"; then kill "$(cat "$run/redis.pid")"; fi
  rm -f "$run/haproxy.pid" "$run/redis.pid"
  echo "cluster down"
}

status() {
  local code=0
  printf '%-10s %s\n' "haproxy" "$(alive "$run/haproxy.pid" && echo "up on 127.0.0.1:$lb_port" || { code=1; echo down; })"
  printf '%-10s %s\n' "redis" "$(alive "$run/redis.pid" && echo "up on 127.0.0.1:$redis_port" || { code=1; echo down; })"
  for i in "${!node_ports[@]}"; do
    local n=$((i + 1)) ready
    ready=$(curl -fsS "http://127.0.0.1:${management_ports[$i]}/health/ready" 2>/dev/null || echo "not ready")
    printf '%-10s %s\n' "node-$n" "$(alive "$run/node-$n.pid" && echo "pid $(cat "$run/node-$n.pid"), port ${node_ports[$i]}: $ready" || echo down)"
  done
  return $code
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
