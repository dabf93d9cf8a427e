#!/usr/bin/env bash
# deploy.sh measures the example app as chapter 13 deploys it: GET /entries
# and POST /api/entries, throughput and latency, on SQLite, on PostgreSQL
# with one instance, and with two instances on PostgreSQL behind nginx
# (docs/deploy/nginx.conf, TLS). It needs nginx and PostgreSQL installed
# (the run starts its own throwaway cluster, with fsync off, as the tests'
# clusters are), and prints a Markdown table, also written to
# deploy-results.md here. The load comes from Go's HTTP client in
# docs/deploy/bench_test.go (TestDeployBench), a fixed number of requests
# per row, so a run is bounded (about a minute and a half here).
#
#   docs/bench/deploy.sh                  2000 requests per row, 16 connections
#   REQUESTS=500 CONNS=8 docs/bench/deploy.sh
#
# The load generator, the app instances, nginx and PostgreSQL share the
# machine's cores: on a 2-core machine two instances cannot run faster than
# one, and the figures show the cost of the extra hops, not a gain.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$PWD/docs/bench/deploy-results.md"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
GROUNDUP_DEPLOY_BENCH=1 \
GROUNDUP_DEPLOY_BENCH_REQUESTS="${REQUESTS:-2000}" \
GROUNDUP_DEPLOY_BENCH_CONNS="${CONNS:-16}" \
GROUNDUP_DEPLOY_BENCH_OUT="$out" \
  timeout 10m go test ./docs/deploy/ -run '^TestDeployBench$' -count=1 -v -timeout 9m >"$log" 2>&1 || { cat "$log"; exit 1; }
echo "$(nproc) cores, ${REQUESTS:-2000} requests per row from ${CONNS:-16} connections:"
cat "$out"
