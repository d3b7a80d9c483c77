#!/usr/bin/env bash
# Builds (once per machine) and runs the real Grafana Pyroscope server on loopback.
# Needs only bash, go and coreutils.
#
#   .ci/pyroscope-server.sh build
#       builds the server unless cached, prints the binary's path
#   .ci/pyroscope-server.sh start DIR [PORT] [extra server flags...]
#       starts it in the background with its data and log in DIR, waits for
#       /ready, writes DIR/pid, prints the URL (PORT 0 or absent: a free port)
#   .ci/pyroscope-server.sh stop DIR
#       stops the server started with DIR (SIGTERM, then SIGKILL after 15 s)
#
# The module proxy serves github.com/grafana/pyroscope at v1.9.0 only, and its
# zip lacks the nested ./api module, so we build a writable copy of it with that
# replace directive dropped (api v1.0.0 is the same code).
# Facts behind the flags: /work/shared/notes/pyroscope-server.md.
set -euo pipefail

version=v1.9.0
work=
cache_dir="${EMBER_CACHE_DIR:-$HOME/.cache/ember}"
bin="$cache_dir/pyroscope-$version"

log() { echo "pyroscope-server: $*" >&2; }

build() {
  if [ -x "$bin" ]; then echo "$bin"; return; fi
  mkdir -p "$cache_dir"
  local src
  # The copy is large: remove it however the script ends. (Global, not
  # local: the EXIT trap runs after this function has returned.)
  work=$(mktemp -d)
  trap 'rm -rf "$work" "$bin.tmp.$$"' EXIT
  # Run outside any module so the caller's go.mod is neither read nor changed.
  src=$(cd "$work" && GOFLAGS= GO111MODULE=on go mod download -json "github.com/grafana/pyroscope@$version" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$src" ] || { log "module download failed"; exit 1; }
  cp -r "$src" "$work/pyroscope"
  chmod -R u+w "$work/pyroscope"
  (
    cd "$work/pyroscope"
    go mod edit -dropreplace=github.com/grafana/pyroscope/api -require=github.com/grafana/pyroscope/api@v1.0.0
    GOWORK=off GOFLAGS=-mod=mod go build -trimpath -o "$bin.tmp.$$" ./cmd/pyroscope
  ) >&2
  # Rename last, so a cached binary is always a complete one.
  mv "$bin.tmp.$$" "$bin"
  echo "$bin"
}

# free_port prints a loopback TCP port nothing listens on. A port can still be
# taken before the server binds it; start retries with new ports if so.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  log "no free port found"; exit 1
}

# ready succeeds if GET /ready on the port answers 200.
ready() {
  local status
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  IFS= read -r -t 2 status <&3 || status=
  exec 3>&-
  [[ $status == "HTTP/1."?" 200"* ]]
}

stop() {
  local dir=$1 pid
  [ -f "$dir/pid" ] || return 0
  pid=$(cat "$dir/pid")
  rm -f "$dir/pid"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid $pid ignored SIGTERM for 15 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

# launch starts one server process on the given ports and waits until it is
# ready (0), exits early (1: maybe a port was taken) or times out (2).
launch() {
  local dir=$1 binpath=$2 http=$3 grpc=$4 ml=$5; shift 5
  "$binpath" -target=all \
    -server.http-listen-address=127.0.0.1 -server.http-listen-port="$http" \
    -server.grpc-listen-address=127.0.0.1 -server.grpc-listen-port="$grpc" \
    -memberlist.bind-addr=127.0.0.1 -memberlist.advertise-addr=127.0.0.1 \
    -memberlist.bind-port="$ml" -memberlist.advertise-port="$ml" -memberlist.join="127.0.0.1:$ml" \
    -ingester.lifecycler.addr=127.0.0.1 -distributor.ring.instance-addr=127.0.0.1 \
    -compactor.ring.instance-addr=127.0.0.1 -query-scheduler.ring.instance-addr=127.0.0.1 \
    -query-frontend.instance-addr=127.0.0.1 -store-gateway.sharding-ring.instance-addr=127.0.0.1 \
    -overrides-exporter.ring.instance-addr=127.0.0.1 \
    -usage-stats.enabled=false -self-profiling.disable-push=true \
    -storage.backend=filesystem -storage.filesystem.dir="$dir/data" \
    -pyroscopedb.data-path="$dir/db" -compactor.data-dir="$dir/compactor" \
    -blocks-storage.bucket-store.sync-dir="$dir/sync" \
    -ingester.min-ready-duration=1s \
    -distributor.ingestion-rate-limit-mb=64 -distributor.ingestion-burst-size-mb=64 \
    "$@" >>"$dir/server.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$dir/pid"
  for _ in $(seq 1 600); do
    if ready "$http"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { rm -f "$dir/pid"; return 1; }
    sleep 0.1
  done
  stop "$dir"
  return 2
}

start() {
  local dir=$1 port=${2:-0}
  shift $(($# < 2 ? $# : 2))
  local binpath; binpath=$(build)
  mkdir -p "$dir/data" "$dir/compactor" "$dir/sync" "$dir/db"
  if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    log "a server already runs with $dir (pid $(cat "$dir/pid"))"; exit 1
  fi
  local http rc
  # Interrupted while waiting: leave no server behind.
  trap 'stop "$dir"; exit 130' INT TERM
  for attempt in 1 2 3; do
    http=$port
    [ "$http" != 0 ] || http=$(free_port)
    rc=0
    launch "$dir" "$binpath" "$http" "$(free_port)" "$(free_port)" "$@" || rc=$?
    if [ "$rc" = 0 ]; then echo "http://127.0.0.1:$http"; return; fi
    if [ "$rc" = 2 ]; then break; fi
    log "attempt $attempt: server exited early"
  done
  log "server did not become ready; its log ($dir/server.log) ends with:"
  tail -30 "$dir/server.log" >&2
  exit 1
}

case "${1:-}" in
  build) build ;;
  start) shift; [ $# -ge 1 ] || { log "start needs DIR"; exit 2; }; start "$@" ;;
  stop) shift; [ $# -ge 1 ] || { log "stop needs DIR"; exit 2; }; stop "$1" ;;
  *) echo "usage: $0 build | start DIR [PORT] [flags...] | stop DIR" >&2; exit 2 ;;
esac
