#!/usr/bin/env bash
# Builds (once per machine) and runs the real Grafana Pyroscope server on loopback.
#
#   .ci/pyroscope-server.sh build            -> prints the cached binary's path
#   .ci/pyroscope-server.sh start DIR PORT [extra flags...]
#                                            -> starts it in the background with data in DIR,
#                                               waits for /ready, writes DIR/pid, prints the URL
#
# The module proxy serves github.com/grafana/pyroscope at v1.9.0 only, and its zip lacks the
# nested ./api module, so we build a writable copy with that replace dropped.
set -euo pipefail

version=v1.9.0
cache_dir="${EMBER_CACHE_DIR:-$HOME/.cache/ember}"
bin="$cache_dir/pyroscope-$version"

build() {
  if [ -x "$bin" ]; then echo "$bin"; return; fi
  mkdir -p "$cache_dir"
  local src work
  src=$(GOFLAGS=-mod=mod go mod download -json "github.com/grafana/pyroscope@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$src" ] || { echo "pyroscope-server: module download failed" >&2; exit 1; }
  work=$(mktemp -d)
  cp -r "$src" "$work/pyroscope"
  chmod -R u+w "$work/pyroscope"
  (
    cd "$work/pyroscope"
    go mod edit -dropreplace=github.com/grafana/pyroscope/api -require=github.com/grafana/pyroscope/api@v1.0.0
    GOWORK=off GOFLAGS=-mod=mod go build -trimpath -o "$bin.tmp" ./cmd/pyroscope
  ) >&2
  mv "$bin.tmp" "$bin"
  rm -rf "$work"
  echo "$bin"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1 port=$2; shift 2
  local binpath; binpath=$(build)
  mkdir -p "$dir/data" "$dir/compactor" "$dir/sync" "$dir/db"
  local grpc ml
  grpc=$(free_port); ml=$(free_port)
  "$binpath" -target=all \
    -server.http-listen-address=127.0.0.1 -server.http-listen-port="$port" \
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
    "$@" >"$dir/server.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then
      echo "http://127.0.0.1:$port"; return
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "pyroscope-server: exited early; log follows" >&2; tail -50 "$dir/server.log" >&2; exit 1
    fi
    sleep 0.5
  done
  echo "pyroscope-server: not ready after 60 s; log follows" >&2; tail -50 "$dir/server.log" >&2; exit 1
}

case "${1:-}" in
  build) build ;;
  start) shift; start "$@" ;;
  *) echo "usage: $0 build | start DIR PORT [flags...]" >&2; exit 2 ;;
esac
