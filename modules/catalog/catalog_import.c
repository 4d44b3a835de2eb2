/*
 * Products in and out as CSV in Shopify's product layout: one row per
 * variant, the first row of a Handle carrying the product's own fields.
 * Import validates each product (all its rows) with the API's rules and
 * writes it in its own transaction, or skips it whole and reports why; a
 * dry run does the same checks without writing.  Prices are not catalog's:
 * an import hands them to pricing as catalog.price.imported events.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core_db.h"
#include "core/core_html.h"
#include "core/core_id.h"
#include "core/core_json.h"
#include "core/core_log.h"
#include "modules/catalog/catalog_int.h"

enum {
	CI_HANDLE, CI_TITLE, CI_BODY, CI_VENDOR, CI_TYPE, CI_TAGS, CI_STATUS,
	CI_O1N, CI_O1V, CI_O2N, CI_O2V, CI_O3N, CI_O3V, CI_SKU, CI_GRAMS,
	CI_PRICE, CI_COMPARE, CI_QTY, CI_IMG, CI_IMGPOS, CI_IMGALT, CI_NCOLS
};

static const char *const catalog_import_cols[CI_NCOLS] = {
	"Handle", "Title", "Body (HTML)", "Vendor", "Type", "Tags", "Status",
	"Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
	"Option3 Name", "Option3 Value", "Variant SKU", "Variant Grams",
	"Variant Price", "Variant Compare At Price", "Variant Inventory Qty",
	"Image Src", "Image Position", "Image Alt Text"
};

#define CATALOG_IMPORT_ERRORS_MAX	1000
#define CATALOG_IMPORT_IMAGES_MAX	50

/* A data row's handle, for grouping rows by product. */
struct catalog_import_key {
	const char	*handle;
	size_t		 row;
};

/* The rows of one handle: key[start .. start + n) of the sorted keys. */
struct catalog_import_group {
	size_t		 start, n;
	size_t		 first;		/* the handle's first row */
	int		 nerr;
};

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

/* One image row, for ordering. */
struct catalog_import_img {
	int64_t		 pos;
	const char	*url, *alt;
};

struct catalog_import {
	sqlite3			*db;
	struct catalog_csv	 csv;
	int			 col[CI_NCOLS];
	int			 dry_run;
	const char		*who;
	cJSON			*errors;
	int			 nerrors;
	int			 created, updated;
	const char		**rowerr;	/* per row: SKU clash in file */
	struct catalog_import_key *keys;
	size_t			 nkeys;
	void			(*progress)(void *, size_t, size_t, int);
	void			*arg;
};

static const char	*catalog_import_f(const struct catalog_import *, size_t,
			    int);
static void		 catalog_import_error(struct catalog_import *,
			    struct catalog_import_group *, size_t, const char *,
			    const char *);
static int		 catalog_import_int(const char *, int64_t, int64_t *);
static int		 catalog_import_key_cmp(const void *, const void *);
static int		 catalog_import_group_cmp(const void *, const void *);
static int		 catalog_import_img_cmp(const void *, const void *);
static int		 catalog_import_header(struct catalog_import *);
static void		 catalog_import_sku_clashes(struct catalog_import *);
static int		 catalog_import_group(struct catalog_import *,
			    struct catalog_import_group *);
static cJSON		*catalog_import_tags(struct catalog_import *,
			    struct catalog_import_group *, size_t);
static cJSON		*catalog_import_images(struct catalog_import *,
			    struct catalog_import_group *);
static int64_t		 catalog_import_write(struct catalog_import *,
			    struct catalog_import_group *, int64_t,
			    const cJSON *, const cJSON *, const cJSON *,
			    struct catalog_import_var *, size_t);
static int		 catalog_import_variant(struct catalog_import *,
			    int64_t, struct catalog_import_var *);
static int		 catalog_import_run(sqlite3 *, const char *, size_t,
			    int, const char *,
			    void (*)(void *, size_t, size_t, int), void *,
			    cJSON **);
static void		 catalog_export_field(struct kore_buf *, const char *,
			    int);
static void		 catalog_export_money(struct kore_buf *, sqlite3_stmt *,
			    int);
static void		 catalog_export_product(struct kore_buf *, sqlite3 *,
			    const cJSON *);
static void		 catalog_import_cli_progress(void *, size_t, size_t,
			    int);

/*
 * Field c of row, "" when the column is absent.  Borrowed from the csv.
 * An apostrophe that export put before = + - @ (so a spreadsheet does not
 * run the cell as a formula) is taken off again.
 */
static const char *
catalog_import_f(const struct catalog_import *imp, size_t row, int c)
{
	const char	*s;

	s = catalog_csv_get(&imp->csv, row, imp->col[c]);
	if (s[0] == '\'' && s[1] != '\0' && strchr("=+-@", s[1]) != NULL)
		s++;
	return (s);
}

/* Adds {"line","handle","field"?,"message"} and marks the group failed. */
static void
catalog_import_error(struct catalog_import *imp,
    struct catalog_import_group *g, size_t row, const char *field,
    const char *msg)
{
	cJSON	*e;

	if (g != NULL)
		g->nerr++;
	if (imp->nerrors++ >= CATALOG_IMPORT_ERRORS_MAX)
		return;
	if (imp->errors == NULL)
		imp->errors = cJSON_CreateArray();
	e = cJSON_CreateObject();
	cJSON_AddNumberToObject(e, "line", row < imp->csv.nrows ?
	    imp->csv.rows[row].line : imp->csv.errline);
	if (row < imp->csv.nrows)
		cJSON_AddStringToObject(e, "handle",
		    catalog_import_f(imp, row, CI_HANDLE));
	if (field != NULL)
		cJSON_AddStringToObject(e, "field", field);
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddItemToArray(imp->errors, e);
}

/*
 * A whole number from 0 to max; "200.0" is accepted (Shopify writes grams
 * so).  Returns 0, or -1.
 */
static int
catalog_import_int(const char *s, int64_t max, int64_t *out)
{
	int64_t	v;

	if (*s < '0' || *s > '9')
		return (-1);
	for (v = 0; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return (-1);
	}
	if (*s == '.')
		for (s++; *s == '0'; s++)
			;
	if (*s != '\0')
		return (-1);
	*out = v;
	return (0);
}

static int
catalog_import_key_cmp(const void *a, const void *b)
{
	const struct catalog_import_key	*x = a, *y = b;
	int				 c;

	if ((c = strcmp(x->handle, y->handle)) != 0)
		return (c);
	return (x->row < y->row ? -1 : x->row > y->row);
}

static int
catalog_import_group_cmp(const void *a, const void *b)
{
	const struct catalog_import_group	*x = a, *y = b;

	return (x->first < y->first ? -1 : x->first > y->first);
}

static int
catalog_import_img_cmp(const void *a, const void *b)
{
	const struct catalog_import_img	*x = a, *y = b;

	return (x->pos < y->pos ? -1 : x->pos > y->pos);
}

/* Maps the header's names to columns.  -1 without a Handle column. */
static int
catalog_import_header(struct catalog_import *imp)
{
	const char	*name;
	int		 i, c;

	for (c = 0; c < CI_NCOLS; c++)
		imp->col[c] = -1;
	for (i = 0; i < imp->csv.rows[0].n; i++) {
		name = catalog_csv_get(&imp->csv, 0, i);
		for (c = 0; c < CI_NCOLS; c++)
			if (imp->col[c] == -1 &&
			    strcmp(name, catalog_import_cols[c]) == 0)
				imp->col[c] = i;
	}
	return (imp->col[CI_HANDLE] == -1 ? -1 : 0);
}

/*
 * A SKU on two rows of the file: on two products (the later row is an
 * error), or twice in one product.  Noted per row for the group checks.
 */
static void
catalog_import_sku_clashes(struct catalog_import *imp)
{
	struct catalog_import_key	*k;
	size_t				 i, n;

	if ((k = calloc(imp->csv.nrows, sizeof(*k))) == NULL)
		return;
	for (i = 1, n = 0; i < imp->csv.nrows; i++) {
		if (*catalog_import_f(imp, i, CI_SKU) == '\0')
			continue;
		k[n].handle = catalog_import_f(imp, i, CI_SKU);
		k[n++].row = i;
	}
	qsort(k, n, sizeof(*k), catalog_import_key_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(k[i].handle, k[i - 1].handle) != 0)
			continue;
		imp->rowerr[k[i].row] = strcmp(catalog_import_f(imp, k[i].row,
		    CI_HANDLE), catalog_import_f(imp, k[i - 1].row,
		    CI_HANDLE)) == 0 ? "is repeated in this product" :
		    "belongs to another product in this file";
	}
	free(k);
}

/* Tags on row: a comma-separated list, trimmed.  NULL after an error. */
static cJSON *
catalog_import_tags(struct catalog_import *imp, struct catalog_import_group *g,
    size_t row)
{
	const char	*s, *e;
	char		 tag[64];
	cJSON		*a;
	size_t		 n;

	a = cJSON_CreateArray();
	for (s = catalog_import_f(imp, row, CI_TAGS); *s != '\0'; s = e) {
		while (*s == ' ' || *s == ',')
			s++;
		if ((e = strchr(s, ',')) == NULL)
			e = s + strlen(s);
		n = (size_t)(e - s);
		while (n > 0 && s[n - 1] == ' ')
			n--;
		if (n == 0)
			continue;
		if (n > 50 || cJSON_GetArraySize(a) >= 50) {
			catalog_import_error(imp, g, row, "Tags", "must be at "
			    "most 50 tags of at most 50 bytes");
			cJSON_Delete(a);
			return (NULL);
		}
		memcpy(tag, s, n);
		tag[n] = '\0';
		cJSON_AddItemToArray(a, cJSON_CreateString(tag));
	}
	return (a);
}

/* The group's images in position order.  NULL after an error. */
static cJSON *
catalog_import_images(struct catalog_import *imp,
    struct catalog_import_group *g)
{
	struct catalog_import_img	 img[CATALOG_IMPORT_IMAGES_MAX];
	const char			*pos;
	size_t				 i, row, n;
	cJSON				*a, *o;
	int				 bad;

	n = 0;
	bad = 0;
	for (i = 0; i < g->n; i++) {
		row = imp->keys[g->start + i].row;
		if (*catalog_import_f(imp, row, CI_IMG) == '\0')
			continue;
		if (n == CATALOG_IMPORT_IMAGES_MAX) {
			catalog_import_error(imp, g, row, "Image Src",
			    "a product has at most 50 images");
			return (NULL);
		}
		img[n].url = catalog_import_f(imp, row, CI_IMG);
		img[n].alt = catalog_import_f(imp, row, CI_IMGALT);
		pos = catalog_import_f(imp, row, CI_IMGPOS);
		img[n].pos = 1000 + (int64_t)n;
		if (*pos != '\0' && (catalog_import_int(pos, 999, &img[n].pos)
		    == -1 || img[n].pos < 1)) {
			catalog_import_error(imp, g, row, "Image Position",
			    "must be a whole number from 1");
			bad = 1;
		}
		if (strlen(img[n].url) > 2000 || (strncmp(img[n].url,
		    "https://", 8) != 0 && strncmp(img[n].url, "http://", 7) !=
		    0 && img[n].url[0] != '/')) {
			catalog_import_error(imp, g, row, "Image Src",
			    "must be an http(s) URL or a path");
			bad = 1;
		}
		if (strlen(img[n].alt) > 500) {
			catalog_import_error(imp, g, row, "Image Alt Text",
			    "must be at most 500 bytes");
			bad = 1;
		}
		n++;
	}
	if (bad)
		return (NULL);
	/* Insertion sort: stable, and n is at most 50. */
	for (i = 1; i < n; i++) {
		struct catalog_import_img	t = img[i];
		size_t				j = i;

		while (j > 0 && catalog_import_img_cmp(&img[j - 1], &t) > 0) {
			img[j] = img[j - 1];
			j--;
		}
		img[j] = t;
	}
	a = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "url", img[i].url);
		cJSON_AddStringToObject(o, "alt", img[i].alt);
		cJSON_AddItemToArray(a, o);
	}
	return (a);
}

/*
 * Checks the rows of one handle and, unless this is a dry run or a row is
 * wrong, writes the product in its own transaction (the checks run inside
 * it, so what they read is what gets written).  Returns 0 (written, or
 * skipped and reported) or -1 on a db error.
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
	int				 k, nnames, nopts, dflt, began;
	int				 rc, found;

	first = g->first;
	handle = catalog_import_f(imp, first, CI_HANDLE);
	if (!catalog_slug_valid(handle)) {
		catalog_import_error(imp, g, first, "Handle", "is required: "
		    "lower-case letters and digits in words joined by '-', at "
		    "most 100");
		return (0);
	}
	if ((vars = calloc(g->n, sizeof(*vars))) == NULL)
		return (-1);
	opts = tags = imgs = NULL;
	began = 0;
	rc = -1;
	if (!imp->dry_run) {
		if (core_db_begin(imp->db) == -1)
			goto out;
		began = 1;
	}
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

	if (g->nerr == 0 && !imp->dry_run && catalog_import_write(imp, g,
	    rowid, opts, tags, imgs, vars, nv) == -1)
		goto out;
	if (g->nerr == 0 && rowid == 0)
		imp->created++;
	else if (g->nerr == 0)
		imp->updated++;
	if (began && g->nerr == 0) {
		if (core_db_commit(imp->db) == -1)
			goto out;
		began = 0;
	}
	rc = 0;
out:
	if (began)
		core_db_rollback(imp->db);
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
 * Imports (or with dry_run only checks) the CSV file of len bytes; who is
 * the ledger's reference.  progress, when set, is called after each
 * product with the rows done, the rows in all and the errors so far.
 * *report gets {"rows","products","created","updated","errors"} (the
 * caller frees it).  Returns 0, 1 when the file cannot be read as a
 * product CSV (nothing written; the report's errors say why) or -1 on a
 * db error (products before it stay written).
 */
static int
catalog_import_run(sqlite3 *db, const char *data, size_t len, int dry_run,
    const char *who, void (*progress)(void *, size_t, size_t, int),
    void *arg, cJSON **report)
{
	struct catalog_import		 imp;
	struct catalog_import_group	*groups;
	size_t				 i, n, ng, done;
	int				 rc;

	memset(&imp, 0, sizeof(imp));
	imp.db = db;
	imp.dry_run = dry_run;
	imp.who = who;
	imp.progress = progress;
	imp.arg = arg;
	groups = NULL;
	ng = 0;
	rc = 1;
	if (catalog_csv_parse(&imp.csv, data, len) == -1) {
		catalog_import_error(&imp, NULL, (size_t)-1, NULL,
		    imp.csv.error);
		goto report;
	}
	if (catalog_import_header(&imp) == -1) {
		imp.csv.errline = 1;
		catalog_import_error(&imp, NULL, (size_t)-1, "Handle",
		    "the header row has no Handle column");
		goto report;
	}
	rc = -1;
	n = imp.csv.nrows - 1;
	imp.rowerr = calloc(imp.csv.nrows, sizeof(*imp.rowerr));
	imp.keys = calloc(n + 1, sizeof(*imp.keys));
	groups = calloc(n + 1, sizeof(*groups));
	if (imp.rowerr == NULL || imp.keys == NULL || groups == NULL)
		goto report;
	for (i = 0; i < n; i++) {
		imp.keys[i].row = i + 1;
		imp.keys[i].handle = catalog_import_f(&imp, i + 1, CI_HANDLE);
	}
	qsort(imp.keys, n, sizeof(*imp.keys), catalog_import_key_cmp);
	for (i = 0; i < n; i++) {
		if (i == 0 || strcmp(imp.keys[i].handle,
		    imp.keys[i - 1].handle) != 0) {
			groups[ng].start = i;
			groups[ng++].first = imp.keys[i].row;
		}
		groups[ng - 1].n++;
	}
	qsort(groups, ng, sizeof(*groups), catalog_import_group_cmp);
	catalog_import_sku_clashes(&imp);
	done = 0;
	for (i = 0; i < ng; i++) {
		if (catalog_import_group(&imp, &groups[i]) == -1)
			goto report;
		done += groups[i].n;
		if (progress != NULL)
			progress(arg, done, n, imp.nerrors);
	}
	rc = 0;
report:
	*report = cJSON_CreateObject();
	cJSON_AddNumberToObject(*report, "rows", imp.csv.nrows > 0 && rc != 1 ?
	    (double)(imp.csv.nrows - 1) : 0);
	cJSON_AddNumberToObject(*report, "products", (double)ng);
	cJSON_AddNumberToObject(*report, "created", imp.created);
	cJSON_AddNumberToObject(*report, "updated", imp.updated);
	cJSON_AddItemToObject(*report, "errors", imp.errors ? imp.errors :
	    cJSON_CreateArray());
	catalog_csv_cleanup(&imp.csv);
	free(imp.rowerr);
	free(imp.keys);
	free(groups);
	return (rc);
}

/* POST /api/v1/catalog/imports?dry_run=: {"csv": "<the file>"}. */
int
catalog_import_http(struct core_req *r)
{
	cJSON		*report, *errors, *m;
	const char	*csv;
	char		 dry[8];
	int		 rc, dry_run;

	rc = core_http_query(r, "dry_run", dry, sizeof(dry));
	dry_run = rc == 1 && strcmp(dry, "true") == 0;
	if (rc == -1 || (rc == 1 && !dry_run && strcmp(dry, "false") != 0)) {
		errors = NULL;
		core_http_field_error(&errors, "dry_run",
		    "must be true or false");
		core_http_problem(r, 400, "bad-query", "Bad query",
		    "the import arguments are not valid", errors);
		return (KORE_RESULT_OK);
	}
	if (r->body == NULL || core_json_get_str(r->body, "csv",
	    CATALOG_CSV_BYTES_MAX, &csv) != CORE_JSON_OK) {
		errors = NULL;
		core_http_field_error(&errors, "csv", "is required: the CSV "
		    "file as one string");
		core_http_invalid(r, errors);
		return (KORE_RESULT_OK);
	}
	rc = catalog_import_run(core_db_get("catalog"), csv, strlen(csv),
	    dry_run, r->who.sub, NULL, NULL, &report);
	if (rc == -1) {
		cJSON_Delete(report);
		return (catalog_internal(r));
	}
	if (rc == 1) {
		m = cJSON_CreateObject();
		cJSON_AddItemToObject(m, "errors", cJSON_DetachItemFromObject(
		    report, "errors"));
		cJSON_Delete(report);
		core_http_problem_with(r, 422, "invalid-csv", "Invalid CSV",
		    "the file is not a product CSV; errors[] says where", m);
		return (KORE_RESULT_OK);
	}
	core_http_json_take(r, dry_run ? 200 : 201, report);
	return (KORE_RESULT_OK);
}

/* Appends s as one CSV field, after a comma unless it is the first. */
static void
catalog_export_field(struct kore_buf *b, const char *s, int first)
{
	int	formula;

	if (!first)
		kore_buf_append(b, ",", 1);
	if (s == NULL)
		return;
	/* CSV injection: a spreadsheet would run "=..." as a formula. */
	formula = s[0] != '\0' && strchr("=+-@", s[0]) != NULL;
	if (!catalog_csv_quote_needed(s)) {
		if (formula)
			kore_buf_append(b, "'", 1);
		kore_buf_append(b, s, strlen(s));
		return;
	}
	kore_buf_append(b, formula ? "\"'" : "\"", formula ? 2 : 1);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			kore_buf_append(b, "\"", 1);
		kore_buf_append(b, s, 1);
	}
	kore_buf_append(b, "\"", 1);
}

/* Column col of st (minor units or NULL) as ",19.99" or ",". */
static void
catalog_export_money(struct kore_buf *b, sqlite3_stmt *st, int col)
{
	int64_t	v;

	if (st == NULL || sqlite3_column_type(st, col) == SQLITE_NULL) {
		kore_buf_append(b, ",", 1);
		return;
	}
	v = sqlite3_column_int64(st, col);
	kore_buf_appendf(b, ",%lld.%02lld", (long long)(v / 100),
	    (long long)(v % 100));
}

/* The rows of product p (staff JSON): one per variant, then images. */
static void
catalog_export_product(struct kore_buf *b, sqlite3 *db, const cJSON *p)
{
	const cJSON	*vars, *imgs, *opts, *v, *img, *stock;
	sqlite3_stmt	*st;
	cJSON		*tag;
	char		 num[32];
	const char	*sep;
	struct kore_buf	*tags;
	int		 i, k, nv, ni, nopts, rows;

	vars = cJSON_GetObjectItem(p, "variants");
	imgs = cJSON_GetObjectItem(p, "images");
	opts = cJSON_GetObjectItem(p, "options");
	nv = cJSON_GetArraySize(vars);
	ni = cJSON_GetArraySize(imgs);
	nopts = cJSON_GetArraySize(opts);
	rows = nv > ni ? nv : ni;
	if (rows == 0)
		rows = 1;
	tags = kore_buf_alloc(128);
	sep = "";
	cJSON_ArrayForEach(tag, cJSON_GetObjectItem(p, "tags")) {
		kore_buf_appendf(tags, "%s%s", sep, tag->valuestring);
		sep = ", ";
	}
	for (i = 0; i < rows; i++) {
		v = i < nv ? cJSON_GetArrayItem(vars, i) : NULL;
		img = i < ni ? cJSON_GetArrayItem(imgs, i) : NULL;
		catalog_export_field(b, cJSON_GetStringValue(
		    cJSON_GetObjectItem(p, "slug")), 1);
		if (i == 0) {
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(p, "title")), 0);
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(p, "description")), 0);
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(p, "vendor")), 0);
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(p, "product_type")), 0);
			catalog_export_field(b, kore_buf_stringify(tags, NULL),
			    0);
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(p, "status")), 0);
		} else {
			kore_buf_append(b, ",,,,,,", 6);
		}
		for (k = 0; k < CATALOG_OPTIONS_MAX; k++) {
			/* Shopify's way of saying "no options". */
			if (k == 0 && nopts == 0) {
				catalog_export_field(b, i == 0 ? "Title" : NULL,
				    0);
				catalog_export_field(b, v ? "Default Title" :
				    NULL, 0);
				continue;
			}
			catalog_export_field(b, i == 0 && k < nopts ?
			    cJSON_GetStringValue(cJSON_GetObjectItem(
			    cJSON_GetArrayItem(opts, k), "name")) : NULL, 0);
			catalog_export_field(b, v ? cJSON_GetStringValue(
			    cJSON_GetArrayItem(cJSON_GetObjectItem(v,
			    "options"), k)) : NULL, 0);
		}
		if (v != NULL) {
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(v, "sku")), 0);
			kore_buf_appendf(b, ",%lld", (long long)
			    cJSON_GetNumberValue(cJSON_GetObjectItem(v,
			    "weight_grams")));
			st = core_db_stmt(db, "SELECT amount, compare_at FROM"
			    " variant_prices WHERE sku = ?");
			if (st != NULL) {
				sqlite3_bind_text(st, 1, cJSON_GetStringValue(
				    cJSON_GetObjectItem(v, "sku")), -1,
				    SQLITE_STATIC);
				if (sqlite3_step(st) != SQLITE_ROW) {
					sqlite3_reset(st);
					st = NULL;
				}
			}
			catalog_export_money(b, st, 0);
			catalog_export_money(b, st, 1);
			if (st != NULL)
				sqlite3_reset(st);
			stock = cJSON_GetObjectItem(v, "stock");
			kore_buf_appendf(b, ",%lld", (long long)
			    cJSON_GetNumberValue(cJSON_GetObjectItem(stock,
			    "on_hand")));
		} else {
			kore_buf_append(b, ",,,,,", 5);
		}
		if (img != NULL) {
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(img, "url")), 0);
			snprintf(num, sizeof(num), "%d", i + 1);
			catalog_export_field(b, num, 0);
			catalog_export_field(b, cJSON_GetStringValue(
			    cJSON_GetObjectItem(img, "alt")), 0);
		} else {
			kore_buf_append(b, ",,,", 3);
		}
		kore_buf_append(b, "\r\n", 2);
	}
	kore_buf_free(tags);
}

/* GET /api/v1/catalog/exports/products.csv?status= */
int
catalog_export_http(struct core_req *r)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	struct kore_buf	*b;
	cJSON		*errors, *p;
	char		 status[16];
	int64_t		*rows, *nr;
	size_t		 n, cap, i;
	int		 rc, c;

	rc = core_http_query(r, "status", status, sizeof(status));
	if (rc == -1 || (rc == 1 && strcmp(status, "draft") != 0 &&
	    strcmp(status, "active") != 0 && strcmp(status, "archived") != 0)) {
		errors = NULL;
		core_http_field_error(&errors, "status",
		    "must be draft, active or archived");
		core_http_problem(r, 400, "bad-query", "Bad query",
		    "the export arguments are not valid", errors);
		return (KORE_RESULT_OK);
	}
	if (rc != 1)
		status[0] = '\0';
	db = core_db_get("catalog");
	if ((st = core_db_stmt(db, "SELECT rowid FROM products WHERE"
	    " ? = '' OR status = ? ORDER BY rowid")) == NULL)
		return (catalog_internal(r));
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	/* Collect the rowids first: the JSON builder reuses statements. */
	rows = NULL;
	n = cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nr = realloc(rows, cap * sizeof(*rows))) == NULL)
				break;
			rows = nr;
		}
		rows[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(rows);
		return (catalog_internal(r));
	}
	b = kore_buf_alloc(65536);
	for (c = 0; c < CI_NCOLS; c++)
		catalog_export_field(b, catalog_import_cols[c], c == 0);
	kore_buf_append(b, "\r\n", 2);
	for (i = 0; i < n; i++) {
		if ((p = catalog_product_json(db, rows[i], 1)) == NULL)
			continue;
		catalog_export_product(b, db, p);
		cJSON_Delete(p);
	}
	free(rows);
	http_response_header(r->http, "content-type",
	    "text/csv; charset=utf-8");
	http_response_header(r->http, "content-disposition",
	    "attachment; filename=\"products.csv\"");
	http_response_header(r->http, "cache-control", "no-store");
	http_response(r->http, 200, b->data, b->offset);
	kore_buf_free(b);
	return (KORE_RESULT_OK);
}

/* "\r12000/20000 rows, 3 errors" every 500 rows, for a terminal. */
static void
catalog_import_cli_progress(void *arg, size_t done, size_t total, int errors)
{
	size_t	*shown = arg;

	if (done < *shown + 500 && done != total)
		return;
	*shown = done;
	fprintf(stderr, "\r%zu/%zu rows, %d errors", done, total, errors);
	if (done == total)
		fputc('\n', stderr);
}

/*
 * `mercato import products FILE.csv [dry-run]`: the report as JSON on
 * stdout; exits 0 when there was no error, 1 otherwise.
 */
int
catalog_import_cli(int argc, char **argv)
{
	FILE		*f;
	struct stat	 sb;
	cJSON		*report;
	char		*data, *out;
	size_t		 shown;
	int		 dry_run, rc;

	if (argc < 1 || argc > 2 || (argc == 2 &&
	    strcmp(argv[1], "dry-run") != 0)) {
		fprintf(stderr, "usage: mercato import products FILE.csv "
		    "[dry-run] [--data DIR]\n");
		return (1);
	}
	dry_run = argc == 2;
	if ((f = fopen(argv[0], "rb")) == NULL || fstat(fileno(f), &sb) ==
	    -1) {
		fprintf(stderr, "mercato: %s: cannot open\n", argv[0]);
		if (f != NULL)
			fclose(f);
		return (1);
	}
	if (sb.st_size > CATALOG_CSV_BYTES_MAX + 3) {
		fprintf(stderr, "mercato: %s: larger than 10 MiB\n", argv[0]);
		fclose(f);
		return (1);
	}
	if ((data = malloc((size_t)sb.st_size + 1)) == NULL ||
	    fread(data, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
		fprintf(stderr, "mercato: %s: cannot read\n", argv[0]);
		free(data);
		fclose(f);
		return (1);
	}
	fclose(f);
	shown = 0;
	rc = catalog_import_run(core_db_get("catalog"), data,
	    (size_t)sb.st_size, dry_run, "cli", isatty(STDERR_FILENO) ?
	    catalog_import_cli_progress : NULL, &shown, &report);
	free(data);
	out = cJSON_Print(report);
	printf("%s\n", out);
	cJSON_free(out);
	if (rc == 0 && cJSON_GetArraySize(cJSON_GetObjectItem(report,
	    "errors")) > 0)
		rc = 1;
	cJSON_Delete(report);
	return (rc == 0 ? 0 : 1);
}
