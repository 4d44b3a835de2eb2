-- wrk script: orders end to end, as fast as the server goes.  Run with as
-- many threads as connections (-tN -cN): each thread's one connection walks
-- new guest cart -> one or two lines -> POST order with an Idempotency-Key,
-- reading the cart id and token from the answers.  BENCH_ORDER_SETUP holds
-- "method sku1 sku2 ..." (bench/orders.mjs --setup prints it).  done()
-- prints orders/s and how many were approved; the latency wrk prints mixes
-- the three kinds of request.
local setup_line = os.getenv("BENCH_ORDER_SETUP") or ""
local method, skus = nil, {}
for w in setup_line:gmatch("%S+") do
	if method == nil then method = w else skus[#skus + 1] = w end
end

local threads = {}
function setup(thread)
	thread:set("id", #threads)
	threads[#threads + 1] = thread
end

local step, cart, token, lines, want, n = 0, nil, nil, 0, 1, 0
local approved, other, failed = 0, 0, 0

local addr = '{"name":"Bench Buyer","line1":"Hauptstr. 1",' ..
    '"city":"Berlin","postal_code":"10115","country":"DE"}'

function init(args)
	n = (id or 0) * 7919
end

function request()
	if step == 0 then
		return wrk.format("POST", "/api/v1/checkout/carts",
		    { ["Content-Length"] = "0" }, "")
	elseif step == 1 then
		local sku = skus[(n + lines) % #skus + 1]
		return wrk.format("POST", "/api/v1/checkout/carts/" .. cart ..
		    "/lines", { ["Content-Type"] = "application/json",
		    ["X-Cart-Token"] = token }, '{"sku":"' .. sku ..
		    '","quantity":' .. (lines + 1) .. '}')
	else
		return wrk.format("POST", "/api/v1/checkout/orders",
		    { ["Content-Type"] = "application/json",
		    ["X-Cart-Token"] = token,
		    ["Idempotency-Key"] = "bench-" .. id .. "-" .. n },
		    '{"cart_id":"' .. cart .. '","email":"bench@example.com",' ..
		    '"shipping_address":' .. addr .. ',"shipping_method":"' ..
		    method .. '","payment_method":"bank_transfer"}')
	end
end

function response(status, headers, body)
	if step == 0 then
		cart = body:match('"id":"([^"]+)"')
		token = body:match('"token":"([^"]+)"')
		if status ~= 201 and status ~= 200 or not cart or not token then
			failed = failed + 1
			return
		end
		step, lines, want = 1, 0, 1 + n % 2
	elseif step == 1 then
		if status ~= 200 then
			failed = failed + 1
			step = 0
			return
		end
		lines = lines + 1
		if lines == want then step = 2 end
	else
		if status == 201 and body:find('"status":"approved"', 1, true) then
			approved = approved + 1
		elseif status == 201 then
			other = other + 1
		else
			failed = failed + 1
		end
		n = n + 1
		step = 0
		wrk.thread:set("approved", approved)
		wrk.thread:set("other", other)
		wrk.thread:set("failed", failed)
	end
end

function done(summary, latency, requests)
	local a, o, f = 0, 0, 0
	for _, t in ipairs(threads) do
		a = a + (t:get("approved") or 0)
		o = o + (t:get("other") or 0)
		f = f + (t:get("failed") or 0)
	end
	local secs = summary.duration / 1e6
	io.write(string.format("orders: %d approved, %d other, %d failed in %.1f s" ..
	    " = %.0f orders/s (%d requests)\n", a, o, f, secs, (a + o) / secs,
	    summary.requests))
end
