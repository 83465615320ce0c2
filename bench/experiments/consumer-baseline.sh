#!/usr/bin/env bash
# Compares the consumer's resident memory at rest when started under tsx, as the benchmarks
# and end-to-end tests start it, and from the esbuild bundle that the container image runs.
# Not part of `npm run bench`. Run it on a local stack:
#   node infra/local/cli.mjs exec -- bash bench/experiments/consumer-baseline.sh
# It prints VmRSS and VmHWM of each, 5 s after the consumer logged "consumer started", twice.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The bundle goes under test-artifacts, inside the repository, so that its external packages
# resolve from the root node_modules. The esbuild flags are those of apps/consumer's build script.
bundle=test-artifacts/bench/consumer-bundle
rm -rf "$bundle"
(cd apps/consumer && npx esbuild bin/main=src/main.ts --bundle --platform=node --target=node20 \
  --format=esm --outdir="../../$bundle" --packages=external --log-level=warning \
  --alias:@fileflow/adapters=../../packages/adapters/src/index.ts \
  --alias:@fileflow/db=../../packages/db/src/index.ts \
  --alias:@fileflow/domain=../../packages/domain/src/index.ts)
cp -R packages/db/drizzle "$bundle/drizzle"

measure() {
  local label=$1
  shift
  local log="test-artifacts/bench/consumer-baseline-$label.log"
  FILEFLOW_TOPIC="consumer_baseline_$label" FILEFLOW_CONSUMER_GROUP="consumer_baseline_$label" \
    FILEFLOW_HEALTH_PORT=0 LOG_LEVEL=info "$@" >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    grep -q '"consumer started"' "$log" && break
    sleep 0.5
  done
  if ! grep -q '"consumer started"' "$log"; then
    echo "$label: the consumer did not start within 60 s; see $log" >&2
    kill -TERM "$pid"
    exit 1
  fi
  sleep 5
  echo "$label: $(grep -E '^(VmRSS|VmHWM):' "/proc/$pid/status" | tr -s ' \t' ' ' | tr '\n' ' ')"
  kill -TERM "$pid"
  wait "$pid" || true
}

for _ in 1 2; do
  measure tsx node --import tsx apps/consumer/src/main.ts
  measure bundle node "$bundle/bin/main.js"
done
