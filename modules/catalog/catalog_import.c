/*
 * Product CSV in Shopify's layout, read one product at a time: one row per
 * variant, the first row of a Handle carrying the product's own fields.
 * Each product (all its rows) is checked with the API's rules and, unless
 * a row is wrong or this is a dry run, written inside the caller's write
 * transaction; a bad product is skipped whole with its errors reported.
 * Prices are not catalog's: an import hands them to pricing as
 * catalog.price.imported events.  The background job
 * (catalog_import_job.c), the CLI and the dry run all drive this file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_html.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "modules/catalog/catalog_int.h"

/* The columns read, in the order export writes them. */
const char *const catalog_csv_columns[CATALOG_CSV_NCOLS] = {
	"Handle", "Title", "Body (HTML)", "Vendor", "Type", "Tags", "Status",
	"Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
	"Option3 Name", "Option3 Value", "Variant SKU", "Variant Grams",
	"Variant Price", "Variant Compare At Price", "Variant Inventory Qty",
	"Image Src", "Image Position", "Image Alt Text"
};
#define catalog_import_cols	catalog_csv_columns

/* One variant row, checked. */
struct catalog_import_var {
	size_t		 row;
	const char	*sku;
	const char	*opt[CATALOG_OPTIONS_MAX];
	int64_t		 grams, qty, price, compare;
	int		 has_grams, has_qty, has_price, has_compare;
	int64_t		 rowid;		/* 0: a new variant */
	int64_t		 on_hand;
};

static int		 catalog_import_group_cmp(const void *, const void *);
static int		 catalog_import_group(struct catalog_import *,
			    struct catalog_import_group *);
static int64_t		 catalog_import_write(struct catalog_import *,
			    struct catalog_import_group *, int64_t,
			    const cJSON *, const cJSON *, const cJSON *,
			    struct catalog_import_var *, size_t);
static int		 catalog_import_variant(struct catalog_import *,
			    int64_t, struct catalog_import_var *);

static int
catalog_import_group_cmp(const void *a, const void *b)
{
	const struct catalog_import_group	*x = a, *y = b;

	return (x->first < y->first ? -1 : x->first > y->first);
}

/*
 * Checks the rows of one handle and, when imp->write is set and no row is
 * wrong, writes the product inside the caller's transaction (the checks
 * run inside it, so what they read is what gets written; a skipped
 * product writes nothing).  Returns CATALOG_IMPORT_CREATED or
 * CATALOG_IMPORT_UPDATED (written, or would be), CATALOG_IMPORT_SKIPPED
 * (g->nerr errors reported) or -1 on a db error.
 */
static int
catalog_import_group(struct catalog_import *imp,
    struct catalog_import_group *g)
{
	struct catalog_import_var	*vars, *v;
	sqlite3_stmt			*st;
	const char			*handle, *s, *name[CATALOG_OPTIONS_MAX];
	const cJSON			*it;
	cJSON				*opts, *o, *vals, *tags, *imgs;
	char				 msg[96];
	int64_t				 rowid, vprod, reserved, nvars;
	size_t				 i, row, nv, first;
	int				 k, nnames, nopts, dflt;
	int				 rc, found;

	first = g->first;
	handle = catalog_import_f(imp, first, CI_HANDLE);
	if (!catalog_slug_valid(handle)) {
		catalog_import_error(imp, g, first, "Handle", "is required: "
		    "lower-case letters and digits in words joined by '-', at "
		    "most 100");
		return (CATALOG_IMPORT_SKIPPED);
	}
	if ((vars = calloc(g->n, sizeof(*vars))) == NULL)
		return (-1);
	opts = tags = imgs = NULL;
	rc = -1;
	rowid = 0;
	if ((st = core_db_stmt(imp->db, "SELECT rowid, options FROM products"
	    " WHERE slug = ?")) == NULL)
		goto out;
	sqlite3_bind_text(st, 1, handle, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rowid = sqlite3_column_int64(st, 0);
		opts = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (!cJSON_IsArray(opts)) {
		cJSON_Delete(opts);
		opts = cJSON_CreateArray();
	}

	/* The product's own fields, from its first row. */
	s = catalog_import_f(imp, first, CI_TITLE);
	if ((*s == '\0' && rowid == 0) || strlen(s) > CATALOG_TITLE_MAX)
		catalog_import_error(imp, g, first, "Title", "is required on a "
		    "new product's first row: 1 to 200 bytes");
	s = catalog_import_f(imp, first, CI_STATUS);
	if (*s != '\0' && strcmp(s, "active") != 0 &&
	    strcmp(s, "draft") != 0 && strcmp(s, "archived") != 0)
		catalog_import_error(imp, g, first, "Status",
		    "must be active, draft or archived");
	if (strlen(catalog_import_f(imp, first, CI_BODY)) > CATALOG_DESC_MAX)
		catalog_import_error(imp, g, first, "Body (HTML)",
		    "must be at most 20000 bytes");
	if (strlen(catalog_import_f(imp, first, CI_VENDOR)) > 200)
		catalog_import_error(imp, g, first, "Vendor",
		    "must be at most 200 bytes");
	if (strlen(catalog_import_f(imp, first, CI_TYPE)) > 200)
		catalog_import_error(imp, g, first, "Type",
		    "must be at most 200 bytes");
	if (*catalog_import_f(imp, first, CI_TAGS) != '\0')
		tags = catalog_import_tags(imp, g, first);
	if (*catalog_import_f(imp, first, CI_IMG) != '\0')
		imgs = catalog_import_images(imp, g);

	/*
	 * Options.  Shopify writes "Title" / "Default Title" for a product
	 * without options; an existing product keeps its option names.
	 */
	for (k = 0; k < CATALOG_OPTIONS_MAX; k++)
		name[k] = catalog_import_f(imp, first, CI_O1N + 2 * k);
	dflt = strcmp(name[0], "Title") == 0 && *name[1] == '\0' &&
	    *name[2] == '\0';
	if (dflt)
		name[0] = "";
	for (nnames = 0; nnames < CATALOG_OPTIONS_MAX && *name[nnames] != '\0';
	    nnames++)
		if (strlen(name[nnames]) > 50)
			catalog_import_error(imp, g, first,
			    catalog_import_cols[CI_O1N + 2 * nnames],
			    "must be at most 50 bytes");
	for (k = nnames; k < CATALOG_OPTIONS_MAX; k++)
		if (*name[k] != '\0')
			catalog_import_error(imp, g, first,
			    catalog_import_cols[CI_O1N + 2 * k],
			    "options are named in order, without gaps");
	nopts = cJSON_GetArraySize(opts);
	if (rowid != 0 && nnames > 0) {
		found = nnames == nopts;
		for (k = 0; found && k < nnames; k++)
			found = strcmp(name[k], cJSON_GetStringValue(
			    cJSON_GetObjectItem(cJSON_GetArrayItem(opts, k),
			    "name")) ? cJSON_GetStringValue(cJSON_GetObjectItem(
			    cJSON_GetArrayItem(opts, k), "name")) : "") == 0;
		if (!found)
			catalog_import_error(imp, g, first, "Option1 Name",
			    "option names of an existing product cannot "
			    "change");
	} else if (rowid == 0) {
		for (k = 0; k < nnames; k++) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", name[k]);
			cJSON_AddArrayToObject(o, "values");
			cJSON_AddItemToArray(opts, o);
		}
		nopts = nnames;
	}

	/* The variant rows. */
	nvars = rowid == 0 ? 0 : core_db_scalar(imp->db, "SELECT count(*)"
	    " FROM variants WHERE product = (SELECT rowid FROM products"
	    " WHERE slug = ?)", handle, 0);
	nv = 0;
	for (i = 0; i < g->n; i++) {
		row = imp->keys[g->start + i].row;
		v = &vars[nv];
		v->row = row;
		v->sku = catalog_import_f(imp, row, CI_SKU);
		found = 0;
		for (k = 0; k < CATALOG_OPTIONS_MAX; k++) {
			v->opt[k] = catalog_import_f(imp, row, CI_O1V + 2 * k);
			if (dflt && k == 0 && strcmp(v->opt[k],
			    "Default Title") == 0)
				v->opt[k] = "";
			found |= *v->opt[k] != '\0';
		}
		if (*v->sku == '\0') {
			/* An image-only row, unless it says more. */
			if (found || *catalog_import_f(imp, row, CI_GRAMS) ||
			    *catalog_import_f(imp, row, CI_PRICE) ||
			    *catalog_import_f(imp, row, CI_COMPARE) ||
			    *catalog_import_f(imp, row, CI_QTY))
				catalog_import_error(imp, g, row, "Variant SKU",
				    "is required on a variant row");
			continue;
		}
		nv++;
		if (!catalog_sku_valid(v->sku))
			catalog_import_error(imp, g, row, "Variant SKU",
			    "must be 1 to 64 of A-Z a-z 0-9 . _ / -");
		if (imp->rowerr[row] != NULL)
			catalog_import_error(imp, g, row, "Variant SKU",
			    imp->rowerr[row]);
		for (k = 0; k < CATALOG_OPTIONS_MAX; k++) {
			if (k >= nopts) {
				if (*v->opt[k] != '\0')
					catalog_import_error(imp, g, row,
					    catalog_import_cols[CI_O1V + 2 * k],
					    "the product has no such option");
				continue;
			}
			if (*v->opt[k] == '\0' || strlen(v->opt[k]) > 100) {
				catalog_import_error(imp, g, row,
				    catalog_import_cols[CI_O1V + 2 * k],
				    "must give a value (1 to 100 bytes) for "
				    "each product option");
				continue;
			}
			vals = cJSON_GetObjectItem(cJSON_GetArrayItem(opts, k),
			    "values");
			if (!cJSON_IsArray(vals))
				continue;
			found = 0;
			cJSON_ArrayForEach(it, vals)
				if (cJSON_IsString(it) && strcmp(
				    it->valuestring, v->opt[k]) == 0)
					found = 1;
			if (!found && cJSON_GetArraySize(vals) >= 100)
				catalog_import_error(imp, g, row,
				    catalog_import_cols[CI_O1V + 2 * k],
				    "an option has at most 100 values");
			else if (!found)
				cJSON_AddItemToArray(vals,
				    cJSON_CreateString(v->opt[k]));
		}
		s = catalog_import_f(imp, row, CI_GRAMS);
		if ((v->has_grams = *s != '\0') && catalog_import_int(s,
		    10000000, &v->grams) == -1)
			catalog_import_error(imp, g, row, "Variant Grams",
			    "must be a whole number of grams up to 10000000");
		s = catalog_import_f(imp, row, CI_QTY);
		if ((v->has_qty = *s != '\0') && catalog_import_int(s,
		    CATALOG_STOCK_MAX, &v->qty) == -1)
			catalog_import_error(imp, g, row,
			    "Variant Inventory Qty", "must be a whole number "
			    "from 0 to 1000000000");
		s = catalog_import_f(imp, row, CI_PRICE);
		if ((v->has_price = *s != '\0') && catalog_price_parse(s,
		    &v->price) == -1)
			catalog_import_error(imp, g, row, "Variant Price",
			    "must be an amount from 0 with at most 2 decimals, "
			    "such as 19.99");
		s = catalog_import_f(imp, row, CI_COMPARE);
		if ((v->has_compare = *s != '\0') && catalog_price_parse(s,
		    &v->compare) == -1)
			catalog_import_error(imp, g, row,
			    "Variant Compare At Price", "must be an amount "
			    "from 0 with at most 2 decimals, such as 19.99");
		if (v->has_compare && !v->has_price)
			catalog_import_error(imp, g, row,
			    "Variant Compare At Price",
			    "needs a Variant Price on the same row");

		if ((st = core_db_stmt(imp->db, "SELECT rowid, product,"
		    " on_hand, reserved, track_stock, allow_backorder FROM"
		    " variants WHERE sku = ?")) == NULL)
			goto out;
		sqlite3_bind_text(st, 1, v->sku, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			nvars++;
			continue;
		}
		v->rowid = sqlite3_column_int64(st, 0);
		vprod = sqlite3_column_int64(st, 1);
		v->on_hand = sqlite3_column_int64(st, 2);
		reserved = sqlite3_column_int64(st, 3);
		found = sqlite3_column_int(st, 4) && !sqlite3_column_int(st, 5);
		sqlite3_reset(st);
		if (vprod != rowid) {
			catalog_import_error(imp, g, row, "Variant SKU",
			    "belongs to another product");
		} else if (v->has_qty && v->qty != v->on_hand && found &&
		    v->qty < reserved) {
			snprintf(msg, sizeof(msg), "is below the %lld units "
			    "reserved for open orders", (long long)reserved);
			catalog_import_error(imp, g, row,
			    "Variant Inventory Qty", msg);
		}
	}
	if (rowid == 0 && nv == 0)
		catalog_import_error(imp, g, first, "Variant SKU", "a new "
		    "product needs at least one variant row with a SKU");
	if (nvars > CATALOG_VARIANTS_MAX)
		catalog_import_error(imp, g, first, "Variant SKU",
		    "a product has at most 100 variants");

	if (g->nerr == 0 && imp->write && catalog_import_write(imp, g,
	    rowid, opts, tags, imgs, vars, nv) == -1)
		goto out;
	if (g->nerr != 0)
		rc = CATALOG_IMPORT_SKIPPED;
	else
		rc = rowid == 0 ? CATALOG_IMPORT_CREATED :
		    CATALOG_IMPORT_UPDATED;
out:
	cJSON_Delete(opts);
	cJSON_Delete(tags);
	cJSON_Delete(imgs);
	free(vars);
	return (rc);
}

/*
 * Writes a checked product inside the caller's transaction: the product
 * row (fields left empty in the file are kept), its variants, their stock
 * and price events, then the search row and catalog.product.upserted.
 * Returns the product's rowid or -1.
 */
static int64_t
catalog_import_write(struct catalog_import *imp,
    struct catalog_import_group *g, int64_t rowid, const cJSON *opts,
    const cJSON *tags, const cJSON *imgs, struct catalog_import_var *vars,
    size_t nv)
{
	sqlite3_stmt	*st;
	const char	*s;
	char		 id[CORE_ID_MAX], *desc, *otext, *ttext, *itext;
	int64_t		 now;
	size_t		 i, first;
	int		 k, rc;

	first = g->first;
	desc = NULL;
	s = catalog_import_f(imp, first, CI_BODY);
	if ((*s != '\0' || rowid == 0) && (desc = core_html_sanitize(s)) ==
	    NULL)
		return (-1);
	otext = cJSON_PrintUnformatted(opts);
	ttext = tags ? cJSON_PrintUnformatted(tags) : NULL;
	itext = imgs ? cJSON_PrintUnformatted(imgs) : NULL;
	now = core_db_now_ms();
	rc = -1;
	if (rowid == 0) {
		if ((st = core_db_stmt(imp->db, "INSERT INTO products (id,"
		    " title, slug, description, status, vendor, product_type,"
		    " tags, options, images, created_at, updated_at) VALUES"
		    " (?1, ?2, ?3, ?4, coalesce(?5, 'draft'), coalesce(?6, ''),"
		    " coalesce(?7, ''), coalesce(?8, '[]'), ?9,"
		    " coalesce(?10, '[]'), ?11, ?11)")) == NULL)
			goto out;
		core_id_new(id, sizeof(id), "prod");
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	} else {
		if ((st = core_db_stmt(imp->db, "UPDATE products SET"
		    " title = coalesce(?2, title),"
		    " description = coalesce(?4, description),"
		    " status = coalesce(?5, status),"
		    " vendor = coalesce(?6, vendor),"
		    " product_type = coalesce(?7, product_type),"
		    " tags = coalesce(?8, tags), options = ?9,"
		    " images = coalesce(?10, images), version = version + 1,"
		    " updated_at = ?11 WHERE rowid = ?1 AND slug = ?3")) ==
		    NULL)
			goto out;
		sqlite3_bind_int64(st, 1, rowid);
	}
	for (k = 0; k < 4; k++) {
		/* Title, Status, Vendor, Type: an empty cell keeps it. */
		static const int	cols[] = { CI_TITLE, CI_STATUS,
					    CI_VENDOR, CI_TYPE };
		static const int	params[] = { 2, 5, 6, 7 };

		s = catalog_import_f(imp, first, cols[k]);
		if (*s != '\0')
			sqlite3_bind_text(st, params[k], s, -1, SQLITE_STATIC);
	}
	sqlite3_bind_text(st, 3, catalog_import_f(imp, first, CI_HANDLE), -1,
	    SQLITE_STATIC);
	if (desc != NULL)
		sqlite3_bind_text(st, 4, desc, -1, SQLITE_STATIC);
	if (ttext != NULL)
		sqlite3_bind_text(st, 8, ttext, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, otext, -1, SQLITE_STATIC);
	if (itext != NULL)
		sqlite3_bind_text(st, 10, itext, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		core_db_err(imp->db, "import product");
		goto out;
	}
	if (rowid == 0)
		rowid = sqlite3_last_insert_rowid(imp->db);
	for (i = 0; i < nv; i++)
		if (catalog_import_variant(imp, rowid, &vars[i]) == -1)
			goto out;
	if (catalog_product_changed(imp->db, rowid) == -1)
		goto out;
	rc = 0;
out:
	free(desc);
	cJSON_free(otext);
	cJSON_free(ttext);
	cJSON_free(itext);
	return (rc == 0 ? rowid : -1);
}

/*
 * Inserts or updates one variant of product, moves its stock to the
 * file's quantity (reason import) and hands its price to pricing.
 * Returns 0 or -1.
 */
static int
catalog_import_variant(struct catalog_import *imp, int64_t product,
    struct catalog_import_var *v)
{
	sqlite3_stmt	*st;
	cJSON		*p;
	char		 id[CORE_ID_MAX], note[32];
	int64_t		 vrow;
	int		 k, rc;

	if (v->rowid != 0) {
		st = core_db_stmt(imp->db, "UPDATE variants SET option1 = ?1,"
		    " option2 = ?2, option3 = ?3,"
		    " weight_grams = coalesce(?4, weight_grams)"
		    " WHERE rowid = ?5");
	} else {
		st = core_db_stmt(imp->db, "INSERT INTO variants (option1,"
		    " option2, option3, weight_grams, product, id, sku,"
		    " position) VALUES (?1, ?2, ?3, coalesce(?4, 0), ?5, ?6,"
		    " ?7,"
		    " (SELECT coalesce(max(position) + 1, 0) FROM variants"
		    " WHERE product = ?5))");
	}
	if (st == NULL)
		return (-1);
	for (k = 0; k < CATALOG_OPTIONS_MAX; k++)
		sqlite3_bind_text(st, 1 + k, v->opt[k], -1, SQLITE_STATIC);
	if (v->has_grams)
		sqlite3_bind_int64(st, 4, v->grams);
	if (v->rowid != 0) {
		sqlite3_bind_int64(st, 5, v->rowid);
	} else {
		core_id_new(id, sizeof(id), "var");
		sqlite3_bind_int64(st, 5, product);
		sqlite3_bind_text(st, 6, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 7, v->sku, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(imp->db, "import variant"));
	vrow = v->rowid != 0 ? v->rowid : sqlite3_last_insert_rowid(imp->db);
	snprintf(note, sizeof(note), "csv line %d",
	    imp->csv.rows[v->row].line);
	if (v->has_qty && v->qty != v->on_hand && catalog_stock_move(imp->db,
	    vrow, v->qty - v->on_hand, 0, "import", imp->who, note) == -1)
		return (-1);
	if (!v->has_price)
		return (0);
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "sku", v->sku);
	cJSON_AddNumberToObject(p, "amount", (double)v->price);
	if (v->has_compare)
		cJSON_AddNumberToObject(p, "compare_at", (double)v->compare);
	else
		cJSON_AddNullToObject(p, "compare_at");
	rc = core_bus_publish(imp->db, "catalog.price.imported", 1, v->sku, p);
	cJSON_Delete(p);
	return (rc);
}

/*
 * Parses len bytes of data into *out (freed with catalog_import_free) for
 * db, with who as the ledger's reference of what it writes.  Returns 0,
 * 1 when the file cannot be read as a product CSV (*errors gets an array
 * saying where; the caller frees it) or -1 when out of memory.
 */
int
catalog_import_new(struct catalog_import **out, sqlite3 *db,
    const char *data, size_t len, const char *who, cJSON **errors)
{
	struct catalog_import	*imp;
	size_t			 i, n, ng;

	*out = NULL;
	*errors = NULL;
	if ((imp = calloc(1, sizeof(*imp))) == NULL)
		return (-1);
	imp->db = db;
	snprintf(imp->who, sizeof(imp->who), "%s", who);
	if (catalog_csv_parse(&imp->csv, data, len) == -1 ||
	    catalog_import_header(imp) == -1) {
		if (imp->csv.error[0] == '\0') {
			imp->csv.errline = 1;
			snprintf(imp->csv.error, sizeof(imp->csv.error),
			    "the header row has no Handle column");
		}
		imp->errors = *errors = cJSON_CreateArray();
		catalog_import_error(imp, NULL, (size_t)-1,
		    imp->csv.nrows > 0 && imp->col[CI_HANDLE] == -1 ?
		    "Handle" : NULL, imp->csv.error);
		catalog_import_free(imp);
		return (1);
	}
	n = imp->csv.nrows - 1;
	imp->rowerr = calloc(imp->csv.nrows, sizeof(*imp->rowerr));
	imp->keys = calloc(n + 1, sizeof(*imp->keys));
	imp->groups = calloc(n + 1, sizeof(*imp->groups));
	if (imp->rowerr == NULL || imp->keys == NULL || imp->groups == NULL) {
		catalog_import_free(imp);
		return (-1);
	}
	for (i = 0; i < n; i++) {
		imp->keys[i].row = i + 1;
		imp->keys[i].handle = catalog_import_f(imp, i + 1, CI_HANDLE);
	}
	imp->nkeys = n;
	qsort(imp->keys, n, sizeof(*imp->keys), catalog_import_key_cmp);
	for (i = 0, ng = 0; i < n; i++) {
		if (i == 0 || strcmp(imp->keys[i].handle,
		    imp->keys[i - 1].handle) != 0) {
			imp->groups[ng].start = i;
			imp->groups[ng++].first = imp->keys[i].row;
		}
		imp->groups[ng - 1].n++;
	}
	imp->ngroups = ng;
	qsort(imp->groups, ng, sizeof(*imp->groups), catalog_import_group_cmp);
	catalog_import_sku_clashes(imp);
	*out = imp;
	return (0);
}

/* Frees imp; NULL is allowed. */
void
catalog_import_free(struct catalog_import *imp)
{
	if (imp == NULL)
		return;
	catalog_csv_cleanup(&imp->csv);
	free(imp->rowerr);
	free(imp->keys);
	free(imp->groups);
	free(imp);
}

/*
 * Checks product i (0 .. products - 1, in the order of their first rows)
 * and, with write, writes it inside the caller's write transaction.  Its
 * row errors are added to errors (an array; not past
 * CATALOG_IMPORT_ERRORS_MAX items), *rows gets its number of rows and
 * *nerr its number of errors (counted even when not added).  Returns
 * CATALOG_IMPORT_CREATED, _UPDATED, _SKIPPED, or -1 on a db error after
 * which the caller rolls back.  The same product may be checked again.
 */
int
catalog_import_product(struct catalog_import *imp, size_t i, int write,
    cJSON *errors, size_t *rows, int *nerr)
{
	struct catalog_import_group	*g;
	int				 rc;

	g = &imp->groups[i];
	g->nerr = 0;
	imp->write = write;
	imp->errors = errors;
	rc = catalog_import_group(imp, g);
	imp->errors = NULL;
	*rows = g->n;
	*nerr = g->nerr;
	return (rc);
}

/*
 * The dry run: checks every product of the file, writing nothing, into
 * *report {"rows","products","created","updated","errors"} (the would-be
 * counts; the caller frees it).  Returns 0, 1 when the file cannot be
 * read (the report's errors say why) or -1 on a db error.
 */
int
catalog_import_check(sqlite3 *db, const char *data, size_t len,
    cJSON **report)
{
	struct catalog_import	*imp;
	cJSON			*errors;
	size_t			 i, rows;
	int			 rc, nerr, created, updated;

	created = updated = 0;
	*report = NULL;
	rc = catalog_import_new(&imp, db, data, len, "", &errors);
	if (rc == -1)
		return (-1);
	if (rc == 0) {
		errors = cJSON_CreateArray();
		for (i = 0; i < imp->ngroups; i++) {
			rc = catalog_import_product(imp, i, 0, errors, &rows,
			    &nerr);
			if (rc == -1)
				break;
			created += rc == CATALOG_IMPORT_CREATED;
			updated += rc == CATALOG_IMPORT_UPDATED;
			rc = 0;
		}
	}
	*report = cJSON_CreateObject();
	cJSON_AddNumberToObject(*report, "rows", imp ? (double)imp->nkeys : 0);
	cJSON_AddNumberToObject(*report, "products", imp ?
	    (double)imp->ngroups : 0);
	cJSON_AddNumberToObject(*report, "created", created);
	cJSON_AddNumberToObject(*report, "updated", updated);
	cJSON_AddItemToObject(*report, "errors", errors);
	catalog_import_free(imp);
	return (rc);
}
