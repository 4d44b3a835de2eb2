#!/bin/sh
# make bench: measures the binary on 127.0.0.1 and prints numbers.
#   binary size, start-up time to /readyz, idle RSS (parent + workers),
#   wrk req/s and latency for GET /healthz and for the password grant,
#   search, a product, a 20-line quote, and orders end to end.
# Every load is bounded in time (BENCH_SECONDS, default 10).
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
secs=${BENCH_SECONDS:-10}
command -v wrk >/dev/null || { echo "bench: wrk is missing (make deps)"; exit 1; }
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18999)
pw=benchpassword-$(date +%s)
cleanup() {
	if [ -n "${pid:-}" ]; then
		kill "$pid" 2>/dev/null || true
		sleep 1
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

echo "== mercato bench ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores)"
echo "binary size: $(stat -c %s "$bin") bytes"
t0=$(date +%s%N)
MERCATO_ADMIN_EMAIL=bench@example.com MERCATO_ADMIN_PASSWORD=$pw \
    "$bin" serve --data "$tmp/data" --port "$port" >"$tmp/out.log" 2>"$tmp/err.log" &
pid=$!
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
	kill -0 $pid 2>/dev/null || { cat "$tmp/err.log"; exit 1; }
	sleep 0.01
done
t1=$(date +%s%N)
echo "start-up to ready (fresh data dir, incl. migrations and admin hash): $(( (t1 - t0) / 1000000 )) ms"
sleep 1
rss=0
for p in $pid $(pgrep -P $pid); do
	rss=$((rss + $(awk '/VmRSS/ {print $2}' /proc/$p/status)))
done
echo "idle RSS (parent + $(pgrep -P $pid | wc -l) workers): ${rss} KiB"

echo
echo "== GET /healthz: wrk -t2 -c64 -d${secs}s"
wrk -t2 -c64 -d"${secs}s" --latency "http://127.0.0.1:$port/healthz" |
    grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors"
for q in "q=shirt" "q=shrit" "q=li&in_stock=true" ""; do
	echo
	echo "== GET /api/v1/catalog/search?$q (demo catalog): wrk -t2 -c16 -d${secs}s"
	wrk -t2 -c16 -d"${secs}s" --latency "http://127.0.0.1:$port/api/v1/catalog/search?$q" |
	    grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors"
done

echo
echo "== GET /api/v1/catalog/products/<id> (public view): wrk -t2 -c64 -d${secs}s"
id=$(curl -s "http://127.0.0.1:$port/api/v1/catalog/search?q=shirt&limit=1" |
    sed -n 's/.*"id":"\(prod_[A-Z0-9]*\)".*/\1/p')
wrk -t2 -c64 -d"${secs}s" --latency "http://127.0.0.1:$port/api/v1/catalog/products/$id" |
    grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors"

echo
echo "== POST /api/v1/auth/token (password grant, Argon2id): wrk -t2 -c8 -d${secs}s"
# The sign-in rate limit counts failures only; these all succeed.
BENCH_PASSWORD=$pw wrk -t2 -c8 -d"${secs}s" --latency -s "$(dirname "$0")/token.lua" \
    "http://127.0.0.1:$port/api/v1/auth/token" |
    grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors"

# Orders end to end (issue 5): new guest cart -> one or two lines -> POST
# order with an Idempotency-Key -> the answer carrying the stock saga's
# decision, with catalog, pricing and checkout at synchronous=FULL.  The top
# rate with wrk (bench/orders.lua, 8 connections each walking the steps),
# then the latency of whole orders with node (bench/orders.mjs, 4 lanes).
# Both clients share the 2 cores with the server.  Carts are priced
# against the demo's 3 promotions; the quote bench, which adds 47 more,
# runs after.
echo
echo "== orders end to end (new cart -> lines -> approved order): wrk -t8 -c8 -d${secs}s"
if command -v node >/dev/null; then
setup=$(node "$(dirname "$0")/orders.mjs" "http://127.0.0.1:$port" bench@example.com "$pw" setup)
BENCH_ORDER_SETUP=$setup wrk -t8 -c8 -d"${secs}s" --latency \
    -s "$(dirname "$0")/orders.lua" "http://127.0.0.1:$port" |
    grep -E "orders:|Non-2xx|Socket errors"
sleep 1
for r in '/api/v1/checkout/carts' '/api/v1/checkout/carts/{id}/lines' \
    '/api/v1/checkout/orders'; do
	grep -hF "\"route\":\"$r\",\"status\"" "$tmp/out.log" "$tmp/err.log" |
	    grep -o '"duration_us":[0-9]*' | sed 's/.*://' | sort -n |
	    awk -v r="POST $r" '{ v[NR] = $1 } END { if (NR == 0) exit
		printf "  server side %s (%d): p50 %d us, p99 %d us\n", r, NR,
		    v[int(NR * 0.50) + 1], v[int(NR * 0.99) + 1] }'
done
echo
echo "== orders end to end, whole-order latency: node, 4 lanes, ${secs}s"
BENCH_SECONDS=$secs node "$(dirname "$0")/orders.mjs" "http://127.0.0.1:$port" \
    bench@example.com "$pw" 4
else
	echo "bench: node is missing: orders not measured"
fi

# A 20-line cart against 50 active promotions (the demo's 3 and 47 of
# every kind; WELCOME10 is entered so its code promotion counts too).
# Client-side figures from wrk, server-side ones from the access log's
# duration_us of the quote route (request parsed to answer queued).
echo
echo "== POST /api/v1/pricing/quote (20 lines, 50 active promotions): wrk -t2 -c8 -d${secs}s"
command -v python3 >/dev/null || { echo "bench: python3 is missing: quote not measured"; exit 0; }
body=$(python3 "$(dirname "$0")/quote-setup.py" "http://127.0.0.1:$port" \
    bench@example.com "$pw")
BENCH_QUOTE_BODY=$body wrk -t2 -c8 -d"${secs}s" --latency \
    -s "$(dirname "$0")/quote.lua" "http://127.0.0.1:$port/api/v1/pricing/quote" |
    grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors"
sleep 2
grep -ho '"route":"/api/v1/pricing/quote","status":200,"duration_us":[0-9]*' \
    "$tmp/out.log" "$tmp/err.log" | sed 's/.*://' | sort -n |
    awk '{ v[NR] = $1 } END { if (NR == 0) { print "server side: no quote in the log"; exit }
	printf "server side (%d quotes): p50 %d us, p99 %d us, max %d us\n", NR,
	    v[int(NR * 0.50) + 1], v[int(NR * 0.99) + 1], v[NR] }'
