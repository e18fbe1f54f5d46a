#!/usr/bin/env bash
# A local multi-node cluster on 127.0.0.1: Redis, three gateway nodes and haproxy with sticky sessions, ready for a
# browser or socket.io-client at one URL.
#
#   deploy/local/cluster.sh up | down | status
#
# "up" starts whatever is not running (run it again to bring back a stopped node; haproxy is reloaded when its
# configuration changed), waits for every node's readiness (30 s at most, less when a node's JVM exits: its log's
# tail is shown) and, should it fail, stops again what it started. "down" stops haproxy, drains the nodes (killed after
# 20 s) and stops Redis, waiting for each to exit. "status" exits 1 unless everything runs and every node is ready.
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
# balancer; the nodes' own ports therefore only take connections from haproxy's address (PROXY_PROTOCOL_FROM,
# 127.0.0.1/32) that start with a PROXY header.
# LOCAL_PROXY_PROTOCOL=false turns that off on both sides, for tests that also reach the nodes directly.
# "up" runs gateway/target/gateway.jar, built when missing; one older than its sources is refused (REBUILD=1: rebuilt
# first), as deploy/image/build.sh does.
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
# The balancers the nodes believe a PROXY header from: haproxy, which connects to them from 127.0.0.1.
proxy_protocol_from=""
if [ "$proxy_protocol" = true ]; then
  send_proxy="send-proxy-v2 "
  proxy_protocol_from=127.0.0.1/32
fi
jar="$root/gateway/target/gateway.jar"
# shellcheck source=../lib/gateway-jar.sh
. "$root/deploy/lib/gateway-jar.sh"

# Whether the process of a pid file runs, and is still the one the file was written for: pid files outlive a reboot,
# after which their pid may belong to an unrelated process ("down" would kill it, "up" would not start ours).
alive() {
  local pidfile=$1 pid args
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  args="$(ps -o args= -p "$pid" 2>/dev/null)" || return 1
  case "$(basename "$pidfile")" in
    node-*.pid) [[ "$args" == *" -jar $jar"* ]] ;;
    redis.pid) [[ "$args" =~ ^redis-server\ .*:$redis_port( |$) ]] ;;
    haproxy.pid) [[ "$args" == haproxy*"$run/haproxy.cfg"* ]] ;;
    *) return 1 ;;
  esac
}

# What this run of "up" started (pid files): stopped again should "up" fail, so a failed start leaves nothing behind.
# What an earlier "up" started is left as it was ("down" stops everything).
started=()

# Stops the process of a pid file: TERM, then KILL after $2 seconds; waits until it is gone and removes the file.
stop() {
  local pidfile=$1 grace=$2
  if alive "$pidfile"; then
    local pid
    pid="$(cat "$pidfile")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((grace * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$(basename "$pidfile" .pid) (pid $pid) still running after ${grace} s: killed" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
  fi
  rm -f "$pidfile"
}

on_up_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] || undo_up
  exit "$rc"
}

undo_up() {
  [ ${#started[@]} -gt 0 ] || return 0
  echo "up failed: stopping what it started ($(for f in "${started[@]}"; do basename "$f" .pid; done | tr '\n' ' '| sed 's/ $//'))" >&2
  local i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do stop "${started[$i]}" 10; done
}

# The tail of a node's log, for a node that died or never became ready.
show_log() {
  local log="$run/node-$1.log"
  echo "--- last lines of $log:" >&2
  tail -n 20 "$log" >&2 2>/dev/null || true
}

# Waits (30 s at most) for node n's readiness, and gives up at once if its process has exited.
wait_ready() {
  local n=$1 port=$2
  for _ in $(seq 1 150); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then return 0; fi
    if ! alive "$run/node-$n.pid"; then
      echo "node-$n exited before it was ready (see $run/node-$n.log)" >&2
      show_log "$n"
      return 1
    fi
    sleep 0.2
  done
  echo "node-$n (management port $port) was not ready within 30 s (see $run/node-$n.log)" >&2
  show_log "$n"
  return 1
}

up() {
  mkdir -p "$run"
  # Built when missing; one older than its sources is refused, as deploy/image/build.sh does (REBUILD=1 rebuilds it).
  gateway_jar_ensure "$root" "$jar" || return 1
  if ! alive "$run/redis.pid"; then
    rm -f "$run/redis.pid"
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --pidfile "$run/redis.pid" --logfile "$run/redis.log"
    # Daemonized: the pid file appears once the server runs.
    for _ in $(seq 1 50); do [ -f "$run/redis.pid" ] && break; sleep 0.1; done
    [ -f "$run/redis.pid" ] && started+=("$run/redis.pid")
    for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1 || ! alive "$run/redis.pid"; then
      echo "Redis on port $redis_port did not start (see $run/redis.log)" >&2
      return 1
    fi
  fi
  for i in "${!node_ports[@]}"; do
    local n=$((i + 1))
    if ! alive "$run/node-$n.pid"; then
      local java_opts="${JAVA_OPTS--XX:TieredStopAtLevel=1}"
      # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
      NODE_ID="node-$n" REDIS_URL="redis://127.0.0.1:$redis_port" SOCKETIO_HOST=127.0.0.1 MANAGEMENT_HOST=127.0.0.1 \
        SOCKETIO_PORT="${node_ports[$i]}" MANAGEMENT_PORT="${management_ports[$i]}" \
        DRAIN_WINDOW="${DRAIN_WINDOW:-3000}" CORS_ORIGINS="${CORS_ORIGINS:-*}" PROXY_PROTOCOL="$proxy_protocol" \
        PROXY_PROTOCOL_FROM="$proxy_protocol_from" MAX_CONNECTIONS_PER_IP="${MAX_CONNECTIONS_PER_IP:-1000}" HANDSHAKES_PER_IP="${HANDSHAKES_PER_IP:-100}" \
        nohup "${JAVA:-java}" ${java_opts//%n/$n} -jar "$jar" > "$run/node-$n.log" 2>&1 &
      echo $! > "$run/node-$n.pid"
      started+=("$run/node-$n.pid")
    fi
  done
  for i in "${!management_ports[@]}"; do wait_ready $((i + 1)) "${management_ports[$i]}"; done
  start_haproxy
  local lb_probe="http://127.0.0.1:$lb_port/socket.io/?EIO=4&transport=polling"
  for _ in $(seq 1 50); do curl -fsS --max-time 2 "$lb_probe" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS --max-time 2 "$lb_probe" >/dev/null 2>&1 || { echo "haproxy on port $lb_port does not answer" >&2; return 1; }
  echo "cluster up: http://127.0.0.1:$lb_port (nodes ${node_ports[*]}, Redis $redis_port)"
}

# Starts haproxy, or, when it runs with another configuration (other ports, LB_MAXCONN), reloads it: the new process
# takes the port, the old one stops listening and ends once its connections have (its pid is kept in
# haproxy-old.pids for "down").
start_haproxy() {
  write_haproxy_config "$run/haproxy.cfg.new"
  if alive "$run/haproxy.pid"; then
    if cmp -s "$run/haproxy.cfg.new" "$run/haproxy.cfg"; then
      rm -f "$run/haproxy.cfg.new"
      return 0
    fi
    haproxy -c -q -f "$run/haproxy.cfg.new" || { echo "new haproxy configuration refused ($run/haproxy.cfg.new)" >&2; return 1; }
    local old
    old="$(cat "$run/haproxy.pid")"
    mv "$run/haproxy.cfg.new" "$run/haproxy.cfg"
    echo "$old" >> "$run/haproxy-old.pids"
    haproxy -f "$run/haproxy.cfg" -D -p "$run/haproxy.pid" -sf "$old"
    echo "haproxy reloaded with the new configuration"
  else
    mv "$run/haproxy.cfg.new" "$run/haproxy.cfg"
    rm -f "$run/haproxy.pid"
    haproxy -f "$run/haproxy.cfg" -D -p "$run/haproxy.pid"
    started+=("$run/haproxy.pid")
  fi
}

# Long-polling needs every request of a session on the same node: haproxy pins it with a cookie. WebSocket
# connections are single requests and need nothing. A node that turns unready (draining) stops getting new clients.
# Two failed checks mark a node down, each given 2 s to answer: a node that is only busy (a collection, the compiler, a
# loaded test machine) for one check must keep its cookie, since a node marked down has its polling sessions
# redispatched to nodes that do not know them (400 Bad Request).
write_haproxy_config() {
  local file=$1
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
  } > "$file"
}

down() {
  stop "$run/haproxy.pid" 5
  # Old processes of a reloaded haproxy that still serve connections (only pids still running this configuration).
  if [ -f "$run/haproxy-old.pids" ]; then
    while read -r pid; do
      case "$(ps -o args= -p "$pid" 2>/dev/null)" in
        haproxy*"$run/haproxy.cfg"*) kill -TERM "$pid" 2>/dev/null || true ;;
      esac
    done < "$run/haproxy-old.pids"
    rm -f "$run/haproxy-old.pids"
  fi
  # All nodes drain at once; each gets 20 s (DRAIN_WINDOW plus the stop) before it is killed.
  for pidfile in "$run"/node-*.pid; do
    if alive "$pidfile"; then kill -TERM "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  for pidfile in "$run"/node-*.pid; do
    [ -f "$pidfile" ] || continue
    stop "$pidfile" 20
  done
  stop "$run/redis.pid" 10
  echo "cluster down"
}

# Exits 0 only when haproxy, Redis and every node run and every node is ready.
status() {
  local code=0 state
  if alive "$run/haproxy.pid"; then state="up on 127.0.0.1:$lb_port"; else state=down; code=1; fi
  printf '%-10s %s\n' "haproxy" "$state"
  if alive "$run/redis.pid"; then state="up on 127.0.0.1:$redis_port"; else state=down; code=1; fi
  printf '%-10s %s\n' "redis" "$state"
  for i in "${!node_ports[@]}"; do
    local n=$((i + 1)) ready
    if alive "$run/node-$n.pid"; then
      ready=$(curl -fsS --max-time 2 "http://127.0.0.1:${management_ports[$i]}/health/ready" 2>/dev/null) \
        || { ready="not ready"; code=1; }
      state="pid $(cat "$run/node-$n.pid"), port ${node_ports[$i]}: $ready"
    else
      state=down
      code=1
    fi
    printf '%-10s %s\n' "node-$n" "$state"
  done
  return $code
}

case "${1:-}" in
  up)
    # A failing step ends the script (set -e) and this trap stops what this run started; so does an interruption.
    trap on_up_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    up
    trap - EXIT
    ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
