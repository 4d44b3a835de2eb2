-- wrk script: the password grant, form-encoded, for the admin account.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "grant_type=password&username=bench%40example.com&password=" ..
    os.getenv("BENCH_PASSWORD")
