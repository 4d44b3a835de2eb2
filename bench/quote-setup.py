#!/usr/bin/env python3
"""make bench: sets up the quote benchmark on a freshly seeded mercato.

Adds 47 automatic promotions of every kind to the 3 the demo seeds, so a
quote that enters WELCOME10 hands the rules engine 50 active promotions,
and prints a 20-line cart (20 demo SKUs of 20 products) as the quote body.
Usage: quote-setup.py BASE_URL EMAIL PASSWORD
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

base, email, password = sys.argv[1:4]


def call(method, path, body=None, token=None, form=False):
    data, headers = None, {}
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, data, headers, method=method)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


tok = call("POST", "/api/v1/auth/token", {"grant_type": "password",
           "username": email, "password": password}, form=True)["access_token"]
prices = call("GET", "/api/v1/pricing/prices?limit=200", token=tok)["data"]
skus, seen = [], set()
for p in prices:
    if p["product_id"] in seen or len(skus) == 20:
        continue
    seen.add(p["product_id"])
    try:	# the public view has only SKUs of active products
        call("GET", "/api/v1/pricing/prices/" + p["sku"])
    except urllib.error.HTTPError:
        continue
    skus.append(p["sku"])
cats = [c["id"] for c in call("GET", "/api/v1/catalog/categories")["data"]]
both = ["product", "order"]
for i in range(47):
    k, cat, sku = i % 6, cats[i % len(cats)], skus[i % len(skus)]
    action, cond, cw = None, {}, both
    if k == 0:
        action, cond = {"type": "order_percent", "rate": 1000 + 10 * i}, {"min_subtotal": 5000}
    elif k == 1:
        action, cond = {"type": "items_percent", "rate": 5000}, {"match": {"category_ids": [cat]}}
    elif k == 2:
        action, cond = {"type": "items_fixed", "amount": 50}, {"match": {"skus": [sku]}}
    elif k == 3:
        action = {"type": "buy_x_get_y", "buy_qty": 2, "get_qty": 1, "rate": 50000}
        cond = {"match": {"category_ids": [cat]}}
    elif k == 4:
        action, cw = {"type": "free_shipping"}, ["product", "order", "shipping"]
    else:
        action, cond = {"type": "order_fixed", "amount": 100}, {"min_quantity": 5}
    call("POST", "/api/v1/pricing/promotions", {"name": "bench %d" % i,
         "priority": i % 7, "combines_with": cw, "conditions": cond,
         "action": action}, token=tok)
print(json.dumps({"lines": [{"sku": s, "quantity": 1 + i % 3}
                            for i, s in enumerate(skus)],
                  "coupon": "WELCOME10", "country": "DE"}))
