#!/usr/bin/env bash
# Start N cluster nodes on this machine (ports 8001..800N) against a local PostgreSQL and Redis,
# for trying the cluster mode by hand. Ctrl-C stops them all; each leaves the cluster cleanly.
#   deploy/local-cluster.sh [N]      (default 3)
# Override EVENTYAY_DB_URL / EVENTYAY_REDIS_URL to point elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-3}
export EVENTYAY_DB_URL=${EVENTYAY_DB_URL:-postgresql://postgres@127.0.0.1:5432/eventyay}
export EVENTYAY_REDIS_URL=${EVENTYAY_REDIS_URL:-redis://127.0.0.1:6379/0}
eventyay=.venv/bin/eventyay
[ -x "$eventyay" ] || { echo "run 'make test' or 'make run' once to create .venv" >&2; exit 1; }

"$eventyay" migrate
pids=()
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
for n in $(seq 1 "$nodes"); do
  EVENTYAY_NODE_ID="local-$n" "$eventyay" run --port "$((8000 + n))" &
  pids+=($!)
done
echo "nodes on http://127.0.0.1:8001 .. http://127.0.0.1:$((8000 + nodes)); /readyz lists the cluster"
wait
