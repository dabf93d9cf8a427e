#!/usr/bin/env bash
# run.sh builds the three benchmark servers (groundup, net/http with
# httprouter, fasthttp with its router) and compares them under load with
# wrk, then writes results.json, results.md and results.svg here.
#
#   docs/bench/run.sh            the full run: 3 rounds × 5 s, about 20 minutes
#   docs/bench/run.sh --scale    the connection-count and body-size scenarios
#                                only, 2 rounds × 3 s, about 6 minutes
#   docs/bench/run.sh --smoke    1 round × 1 s and 500 idle connections, about 2 minutes
#
# Settings are environment variables, listed in README.md and at the top
# of cmd/runbench/main.go (BENCH_ROUNDS, BENCH_DURATION, ...). The run
# stops by itself after BENCH_TIMEOUT (30m) and kills every server it
# started, on success, failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "--smoke" ]; then
  : "${BENCH_ROUNDS:=1}" "${BENCH_DURATION:=1s}" "${BENCH_WARMUP:=0s}"
  : "${BENCH_IDLE_CONNS:=500}" "${BENCH_IDLE_SETTLE:=1s}" "${BENCH_TIMEOUT:=3m}"
  export BENCH_ROUNDS BENCH_DURATION BENCH_WARMUP BENCH_IDLE_CONNS BENCH_IDLE_SETTLE BENCH_TIMEOUT
elif [ "${1:-}" = "--scale" ]; then
  : "${BENCH_ROUNDS:=2}" "${BENCH_DURATION:=3s}" "${BENCH_WARMUP:=1s}"
  : "${BENCH_SCENARIOS:=plaintext-1,plaintext,plaintext-512,plaintext-4096,get-4k,get-64k,get-1m,post-4k,post-1m,idle}"
  export BENCH_ROUNDS BENCH_DURATION BENCH_WARMUP BENCH_SCENARIOS
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--smoke | --scale]" >&2
  exit 2
fi

# The load tool is Debian's wrk; taskset comes with util-linux.
if ! command -v wrk >/dev/null 2>&1 || ! command -v taskset >/dev/null 2>&1; then
  echo "==> installing wrk and util-linux"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq wrk util-linux </dev/null >/dev/null
fi
if [ "$(nproc)" -lt 2 ]; then
  echo "run.sh needs 2 CPUs: one for the servers, one for wrk" >&2
  exit 1
fi

# Each side of the idle test holds one descriptor per connection.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
need=$(( ${BENCH_IDLE_CONNS:-10000} + 256 ))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  echo "warning: ulimit -n is $(ulimit -n), below the $need the idle test needs" >&2
fi

bin=$(mktemp -d)
runner=
cleanup() {
  if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null; then
    kill -TERM "$runner" 2>/dev/null || true # it kills its servers
    wait "$runner" 2>/dev/null || true
  fi
  rm -rf "$bin"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> building the servers"
go build -o "$bin/" ./cmd/...

echo "==> running (results go to ${BENCH_OUT:-$PWD})"
"$bin/runbench" -bin "$bin" -wrk wrk -out "${BENCH_OUT:-.}" &
runner=$!
status=0
wait "$runner" || status=$?
runner=
exit "$status"
