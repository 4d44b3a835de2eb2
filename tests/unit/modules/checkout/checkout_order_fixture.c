/*
 * Order payloads and a PRNG for the checkout order tests.
 */
#include <criterion/criterion.h>

#include <stdio.h>

#include "tests/unit/modules/checkout/checkout_order_fixture.h"

static uint64_t	cof_state = 0x2545f4914f6cdd1dULL;

cJSON *
cof_created_priced(int nlines, int64_t unit, int64_t shipping, const char *pm)
{
	cJSON	*p, *lines, *l, *a;
	char	 sku[32];
	int64_t	 q, disc, tot, sub = 0, dsum = 0, tsum = 0, sum = 0, tax;
	int	 i;

	cr_assert_not_null(p = cJSON_CreateObject());
	cJSON_AddStringToObject(p, "customer_id",
	    "cus_01JDY3A0B1C2D3E4F5G6H7J8K9");
	cJSON_AddStringToObject(p, "email", "ada@example.org");
	cJSON_AddStringToObject(p, "currency", "EUR");
	cJSON_AddBoolToObject(p, "prices_include_tax", 1);
	cJSON_AddStringToObject(p, "shipping_method", "flat");
	cJSON_AddStringToObject(p, "payment_method", pm);
	a = cJSON_AddObjectToObject(p, "shipping_address");
	cJSON_AddStringToObject(a, "name", "Ada Lovelace");
	cJSON_AddStringToObject(a, "country", "DE");
	lines = cJSON_AddArrayToObject(p, "lines");
	for (i = 0; i < nlines; i++) {
		q = unit > 0 ? 1 : i + 1;
		snprintf(sku, sizeof(sku), "SKU-%d", i + 1);
		l = cJSON_CreateObject();
		cJSON_AddItemToArray(lines, l);
		cJSON_AddStringToObject(l, "sku", sku);
		cJSON_AddStringToObject(l, "title", sku);
		cJSON_AddNumberToObject(l, "quantity", (double)q);
		cJSON_AddNumberToObject(l, "unit_price",
		    (double)(unit > 0 ? unit : 1000 * (i + 1)));
		disc = i == 0 && unit == 0 ? 100 : 0;
		tot = q * (unit > 0 ? unit : 1000 * (i + 1)) - disc;
		tax = tot * 19 / 119;
		cJSON_AddNumberToObject(l, "discount", (double)disc);
		cJSON_AddNumberToObject(l, "tax", (double)tax);
		cJSON_AddNumberToObject(l, "total", (double)tot);
		sub += tot + disc;
		dsum += disc;
		tsum += tax;
		sum += tot;
	}
	cJSON_AddNumberToObject(p, "subtotal", (double)sub);
	cJSON_AddNumberToObject(p, "discount", (double)dsum);
	cJSON_AddNumberToObject(p, "shipping", (double)shipping);
	cJSON_AddNumberToObject(p, "tax", (double)tsum);
	cJSON_AddNumberToObject(p, "total", (double)(sum + shipping));
	return (p);
}

cJSON *
cof_created(int nlines, const char *pm)
{
	return (cof_created_priced(nlines, 0, 500, pm));
}

cJSON *
cof_obj_i64(const char *key, int64_t v)
{
	cJSON	*p;

	cr_assert_not_null(p = cJSON_CreateObject());
	cJSON_AddNumberToObject(p, key, (double)v);
	return (p);
}

void
cof_rng_seed(uint64_t s)
{
	cof_state = s != 0 ? s : 1;
}

uint64_t
cof_rng(void)
{
	cof_state ^= cof_state >> 12;
	cof_state ^= cof_state << 25;
	cof_state ^= cof_state >> 27;
	return (cof_state * 2685821657736338717ULL);
}
