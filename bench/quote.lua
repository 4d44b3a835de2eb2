-- wrk script: POST /api/v1/pricing/quote with the cart in BENCH_QUOTE_BODY
-- (a 20-line cart built by bench/run.sh), as an anonymous storefront.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_QUOTE_BODY")
