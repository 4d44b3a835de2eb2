/*
 * The shop's pricing settings: one currency (ISO 4217), whether prices are
 * entered including tax, and whether shipping is taxed and at which
 * category.  One row, versioned for If-Match; every change publishes
 * pricing.settings.changed with the whole settings, which is what
 * checkout keeps a copy of.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_country.h"
#include "core/core_db.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/pricing/pricing_int.h"

/*
 * Active ISO 4217 codes with their minor units (decimals).  Funds and
 * precious metals (XAU, XDR...) are not shop currencies.
 */
static const char pricing_iso4217[] =
    "AED2AFN2ALL2AMD2ANG2AOA2ARS2AUD2AWG2AZN2BAM2BBD2BDT2BGN2BHD3BIF0"
    "BMD2BND2BOB2BRL2BSD2BTN2BWP2BYN2BZD2CAD2CDF2CHF2CLP0CNY2COP2CRC2"
    "CUP2CVE2CZK2DJF0DKK2DOP2DZD2EGP2ERN2ETB2EUR2FJD2FKP2GBP2GEL2GHS2"
    "GIP2GMD2GNF0GTQ2GYD2HKD2HNL2HTG2HUF2IDR2ILS2INR2IQD3IRR2ISK0JMD2"
    "JOD3JPY0KES2KGS2KHR2KMF0KPW2KRW0KWD3KYD2KZT2LAK2LBP2LKR2LRD2LSL2"
    "LYD3MAD2MDL2MGA2MKD2MMK2MNT2MOP2MRU2MUR2MVR2MWK2MXN2MYR2MZN2NAD2"
    "NGN2NIO2NOK2NPR2NZD2OMR3PAB2PEN2PGK2PHP2PKR2PLN2PYG0QAR2RON2RSD2"
    "RUB2RWF0SAR2SBD2SCR2SDG2SEK2SGD2SHP2SLE2SOS2SRD2SSP2STN2SVC2SYP2"
    "SZL2THB2TJS2TMT2TND3TOP2TRY2TTD2TWD2TZS2UAH2UGX0USD2UYU2UZS2VES2"
    "VED2VND0VUV0WST2XAF0XCD2XCG2XOF0XPF0YER2ZAR2ZMW2ZWG2";

int
pricing_currency_minor(const char *code)
{
	size_t	i;

	if (!core_money_currency_valid(code))
		return (-1);
	for (i = 0; pricing_iso4217[i] != '\0'; i += 4)
		if (strncmp(pricing_iso4217 + i, code, 3) == 0)
			return (pricing_iso4217[i + 3] - '0');
	return (-1);
}

/* The settings as JSON; *version gets the row's version.  NULL on error. */
static cJSON *
pricing_settings_json(sqlite3 *db, int64_t *version)
{
	sqlite3_stmt	*st;
	cJSON		*o;
	char		 ts[40];

	if ((st = core_db_stmt(db, "SELECT currency, prices_include_tax,"
	    " shipping_taxable, shipping_tax_category, version, updated_at,"
	    " default_country, shipping_amount"
	    " FROM settings WHERE id = 1")) == NULL)
		return (NULL);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		core_db_err(db, "read settings");
		return (NULL);
	}
	o = cJSON_CreateObject();
	core_db_add_text(o, "currency", st, 0);
	cJSON_AddNumberToObject(o, "minor_units", pricing_currency_minor(
	    (const char *)sqlite3_column_text(st, 0)));
	cJSON_AddBoolToObject(o, "prices_include_tax",
	    sqlite3_column_int(st, 1));
	cJSON_AddBoolToObject(o, "shipping_taxable", sqlite3_column_int(st, 2));
	core_db_add_text(o, "shipping_tax_category", st, 3);
	core_db_add_text(o, "default_country", st, 6);
	core_db_add_int(o, "shipping_amount", st, 7);
	*version = sqlite3_column_int64(st, 4);
	cJSON_AddNumberToObject(o, "version", (double)*version);
	core_time_rfc3339(ts, sizeof(ts), sqlite3_column_int64(st, 5));
	cJSON_AddStringToObject(o, "updated_at", ts);
	sqlite3_reset(st);
	return (o);
}

/* GET /settings: public (storefronts format money with it). */
int
pricing_settings_get(struct core_req *r)
{
	cJSON	*o;
	int64_t	 version;

	if ((o = pricing_settings_json(core_db_get("pricing"), &version)) ==
	    NULL)
		return (core_http_internal(r));
	core_http_etag(r, version);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
}

/*
 * PUT /settings {"currency"?, "prices_include_tax"?, "shipping_taxable"?,
 * "shipping_tax_category"?, "default_country"?, "shipping_amount"?}: the
 * last two are where quotes go without a country and the flat shipping a
 * quote previews.  Members left out keep their value.  If-Match
 * required.  The currency cannot change while any price is set in the
 * old one (409 currency-in-use): amounts would silently change meaning.
 */
int
pricing_settings_put(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	cJSON		*errors, *o, *ev;
	const char	*cur, *cat, *ctry;
	char		 old[4];
	int64_t		 version, n, shipamt;
	int		 incl, ship, rc, changed;

	errors = NULL;
	cur = cat = ctry = NULL;
	incl = ship = -1;
	shipamt = -1;
	if (r->body == NULL) {
		core_http_field_error(&errors, "body", "is required");
	} else {
		rc = core_json_get_str(r->body, "currency", 3, &cur);
		if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK &&
		    pricing_currency_minor(cur) == -1))
			core_http_field_error(&errors, "currency",
			    "must be an ISO 4217 currency code such as EUR");
		if (core_json_get_bool(r->body, "prices_include_tax", &incl) ==
		    CORE_JSON_WRONG)
			core_http_field_error(&errors, "prices_include_tax",
			    "must be true or false");
		if (core_json_get_bool(r->body, "shipping_taxable", &ship) ==
		    CORE_JSON_WRONG)
			core_http_field_error(&errors, "shipping_taxable",
			    "must be true or false");
		rc = core_json_get_str(r->body, "shipping_tax_category",
		    PRICING_CODE_MAX, &cat);
		if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK &&
		    core_db_scalar(core_db_get("pricing"), "SELECT count(*)"
		    " FROM tax_categories WHERE code = ?", cat, 0) == 0))
			core_http_field_error(&errors, "shipping_tax_category",
			    "must be a tax category's code");
		rc = core_json_get_str(r->body, "default_country", 2, &ctry);
		if (rc == CORE_JSON_WRONG || (rc == CORE_JSON_OK &&
		    !core_country_valid(ctry)))
			core_http_field_error(&errors, "default_country",
			    "must be an ISO 3166-1 alpha-2 code such as DE");
		if (core_json_get_i64(r->body, "shipping_amount", 0,
		    CORE_MONEY_MAX, &shipamt) == CORE_JSON_WRONG)
			core_http_field_error(&errors, "shipping_amount",
			    "must be minor units from 0 to 10^15");
	}
	if (errors != NULL) {
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	db = core_db_get("pricing");
	if (core_db_begin(db) == -1)
		return (core_http_internal(r));
	version = core_db_scalar(db, "SELECT version FROM settings WHERE"
	    " id = 1", NULL, 0);
	if (core_http_if_match(r, version, PRICING_IFM_REQUIRED,
	    "settings") == -1) {
		core_db_rollback(db);
		return (KORE_RESULT_OK);
	}
	pricing_currency(db, old);
	if (cur != NULL && strcmp(cur, old) != 0) {
		n = core_db_scalar(db, "SELECT (SELECT count(*) FROM prices) +"
		    " (SELECT count(*) FROM group_prices)", NULL, 0);
		if (n > 0) {
			core_db_rollback(db);
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "currency", old);
			cJSON_AddNumberToObject(o, "prices", (double)n);
			core_http_problem_with(r, 409, "currency-in-use",
			    "Currency in use", "prices are set in the current "
			    "currency; the currency can only change while no "
			    "price is set", o);
			return (KORE_RESULT_OK);
		}
	}
	if ((st = core_db_stmt(db, "UPDATE settings SET"
	    " currency = coalesce(?1, currency),"
	    " prices_include_tax = coalesce(?2, prices_include_tax),"
	    " shipping_taxable = coalesce(?3, shipping_taxable),"
	    " shipping_tax_category = coalesce(?4, shipping_tax_category),"
	    " default_country = coalesce(?6, default_country),"
	    " shipping_amount = coalesce(?7, shipping_amount),"
	    " version = version + 1, updated_at = ?5 WHERE id = 1 AND"
	    " (currency IS NOT coalesce(?1, currency) OR"
	    " prices_include_tax IS NOT coalesce(?2, prices_include_tax) OR"
	    " shipping_taxable IS NOT coalesce(?3, shipping_taxable) OR"
	    " default_country IS NOT coalesce(?6, default_country) OR"
	    " shipping_amount IS NOT coalesce(?7, shipping_amount) OR"
	    " shipping_tax_category IS NOT"
	    " coalesce(?4, shipping_tax_category))")) == NULL)
		goto fail;
	if (cur != NULL)
		sqlite3_bind_text(st, 1, cur, -1, SQLITE_STATIC);
	if (incl != -1)
		sqlite3_bind_int(st, 2, incl);
	if (ship != -1)
		sqlite3_bind_int(st, 3, ship);
	if (cat != NULL)
		sqlite3_bind_text(st, 4, cat, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, core_db_now_ms());
	if (ctry != NULL)
		sqlite3_bind_text(st, 6, ctry, -1, SQLITE_STATIC);
	if (shipamt != -1)
		sqlite3_bind_int64(st, 7, shipamt);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(db, "update settings");
		goto fail;
	}
	changed = sqlite3_changes(db);
	if ((o = pricing_settings_json(db, &version)) == NULL)
		goto fail;
	if (!changed) {
		/* Nothing differs: same version, no event. */
		core_db_rollback(db);
		core_http_etag(r, version);
		core_http_json_take(r, 200, o);
		return (KORE_RESULT_OK);
	}
	ev = cJSON_Duplicate(o, 1);
	cJSON_DeleteItemFromObject(ev, "version");
	cJSON_DeleteItemFromObject(ev, "updated_at");
	rc = core_bus_publish(db, "pricing.settings.changed", 1, "settings",
	    ev);
	cJSON_Delete(ev);
	if (rc == -1 || core_db_commit(db) == -1) {
		cJSON_Delete(o);
		goto fail;
	}
	core_http_etag(r, version);
	core_http_json_take(r, 200, o);
	return (KORE_RESULT_OK);
fail:
	core_db_rollback(db);
	return (core_http_internal(r));
}
