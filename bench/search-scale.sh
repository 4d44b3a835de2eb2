#!/bin/sh
# make bench-search: storefront search at scale (200,000 products, 1,000,000
# SKUs by default), the shapes of ../shared/notes/search-at-scale.md.
#   bench/search-scale.sh ./mercato build/gen_catalog
# Generates the catalog once into $BENCH_DIR (default /tmp, never the repo;
# kept for the next run: delete it to start over), starts the binary on it
# on 127.0.0.1, and prints for each query kind the wrk req/s, p50 and p99
# with one connection (latency) and with 32 (throughput: more than the 16
# new connections Kore hands one worker at a time), plus start-up, the
# search index build of each worker and RSS.  Every load is bounded in time
# (BENCH_SECONDS, default 10).
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
gen=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
here=$(cd "$(dirname "$0")" && pwd)
secs=${BENCH_SECONDS:-10}
products=${BENCH_PRODUCTS:-200000}
dir=${BENCH_DIR:-/tmp/mercato-search-scale}
command -v wrk >/dev/null || { echo "bench: wrk is missing (make deps)"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18998)
# utime + stime of the workers, in clock ticks: the CPU a request costs,
# which other load on the machine does not inflate the way it does latency.
workers_cpu() {
	t=0
	for w in $(pgrep -P "$pid"); do
		t=$((t + $(awk '{print $14 + $15}' /proc/$w/stat)))
	done
	echo $t
}
cleanup() {
	if [ -n "${pid:-}" ]; then
		kill "$pid" 2>/dev/null || true
		sleep 1
		kill -9 "$pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT INT TERM

echo "== mercato search at scale ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $products products)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -f "$dir/generated-$products" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	"$bin" migrate --data "$dir/data" >/dev/null 2>&1
	t0=$(date +%s%N)
	timeout 300 "$gen" "$dir/data/catalog.db" "$products" >"$dir/queries.txt"
	t1=$(date +%s%N)
	echo "generated in $(( (t1 - t0) / 1000000 )) ms"
	touch "$dir/generated-$products"
fi
echo "catalog.db: $(du -m "$dir/data/catalog.db" | cut -f1) MB"

t0=$(date +%s%N)
"$bin" serve --data "$dir/data" --port "$port" >"$dir/out.log" 2>"$dir/err.log" &
pid=$!
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do
	kill -0 $pid 2>/dev/null || { cat "$dir/err.log"; exit 1; }
	sleep 0.01
done
t1=$(date +%s%N)
echo "start-up to ready: $(( (t1 - t0) / 1000000 )) ms"
curl -s -o /dev/null -w "first search: %{time_total} s\n" \
    "http://127.0.0.1:$port/api/v1/catalog/search?q=shirt"
# Each worker builds its index as it starts; make sure both have before
# the timed runs (and warm them).  Kore hands a batch of up to 16 new
# connections to one worker, so warm up with many.
tries=0
while [ "$(cat "$dir/out.log" "$dir/err.log" | grep -c 'search index built')" -lt 2 ] &&
    [ $tries -lt 10 ]; do
	wrk -t2 -c64 -d2s "http://127.0.0.1:$port/api/v1/catalog/search" >/dev/null 2>&1 || true
	sleep 1
	tries=$((tries + 1))
done
grep -ho '"msg":"catalog: search index built[^"]*"' "$dir/out.log" "$dir/err.log" || true
rss=0
for p in $pid $(pgrep -P $pid); do
	rss=$((rss + $(awk '/VmRSS/ {print $2}' /proc/$p/status)))
done
echo "RSS after index build (parent + $(pgrep -P $pid | wc -l) workers): ${rss} KiB"

for kind in rare mid common two prefix2 prefix3 typo filtered price_sort noquery; do
	grep "^$kind " "$dir/queries.txt" | cut -d' ' -f2 >"$dir/$kind.paths"
	[ -s "$dir/$kind.paths" ] || continue
	for c in 1 32; do
		printf '%-10s %2d conn: ' "$kind" "$c"
		cpu0=$(workers_cpu)
		wrk -t$([ $c -eq 1 ] && echo 1 || echo 2) -c$c -d"${secs}s" --latency \
		    -s "$here/search-scale.lua" "http://127.0.0.1:$port" \
		    -- "$dir/$kind.paths" >"$dir/wrk.out"
		cpu1=$(workers_cpu)
		awk -v ticks=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" '
			/requests in/ { n = $1 }
			/Requests\/sec/ { rps = $2 }
			/^ +50%/ { p50 = $2 }
			/^ +99%/ { p99 = $2 }
			/Non-2xx/ { bad = $NF }
			END { printf "%9s req/s  p50 %8s  p99 %8s  CPU %5.2f ms/req%s\n",
			    rps, p50, p99, n ? ticks * 1000 / hz / n : 0,
			    bad ? "  NON-2XX: " bad : "" }' "$dir/wrk.out"
	done
done
rss=0
for p in $pid $(pgrep -P $pid); do
	rss=$((rss + $(awk '/VmRSS/ {print $2}' /proc/$p/status)))
done
echo "RSS at the end: ${rss} KiB"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
