/*
 * Reading the rows of a product CSV: a field by column name, the header's
 * columns, numbers, tags and images with their checks, and the SKUs the
 * file repeats.  Each problem becomes a row error (catalog_import_error)
 * with the row's CSV line; catalog_import.c decides what to write.
 */
#include <stdlib.h>
#include <string.h>

#include "modules/catalog/catalog_int.h"

#define CATALOG_IMPORT_IMAGES_MAX	50

/* One image row, for ordering. */
struct catalog_import_img {
	int64_t		 pos;
	const char	*url, *alt;
};

static int	catalog_import_img_cmp(const void *, const void *);

/*
 * Field c of row, "" when the column is absent.  Borrowed from the csv.
 * An apostrophe that export put before = + - @ (so a spreadsheet does not
 * run the cell as a formula) is taken off again.
 */
const char *
catalog_import_f(const struct catalog_import *imp, size_t row, int c)
{
	const char	*s;

	s = catalog_csv_get(&imp->csv, row, imp->col[c]);
	if (s[0] == '\'' && s[1] != '\0' && strchr("=+-@", s[1]) != NULL)
		s++;
	return (s);
}

/*
 * Adds {"line","handle","field"?,"message"} to the errors being collected
 * (while they hold fewer than CATALOG_IMPORT_ERRORS_MAX) and marks the
 * group failed.
 */
void
catalog_import_error(struct catalog_import *imp,
    struct catalog_import_group *g, size_t row, const char *field,
    const char *msg)
{
	cJSON	*e;

	if (g != NULL)
		g->nerr++;
	if (imp->errors == NULL ||
	    cJSON_GetArraySize(imp->errors) >= CATALOG_IMPORT_ERRORS_MAX)
		return;
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
int
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

int
catalog_import_key_cmp(const void *a, const void *b)
{
	const struct catalog_import_key	*x = a, *y = b;
	int				 c;

	if ((c = strcmp(x->handle, y->handle)) != 0)
		return (c);
	return (x->row < y->row ? -1 : x->row > y->row);
}

static int
catalog_import_img_cmp(const void *a, const void *b)
{
	const struct catalog_import_img	*x = a, *y = b;

	return (x->pos < y->pos ? -1 : x->pos > y->pos);
}

/* Maps the header's names to columns.  -1 without a Handle column. */
int
catalog_import_header(struct catalog_import *imp)
{
	const char	*name;
	int		 i, c;

	for (c = 0; c < CATALOG_CSV_NCOLS; c++)
		imp->col[c] = -1;
	for (i = 0; i < imp->csv.rows[0].n; i++) {
		name = catalog_csv_get(&imp->csv, 0, i);
		for (c = 0; c < CATALOG_CSV_NCOLS; c++)
			if (imp->col[c] == -1 &&
			    strcmp(name, catalog_csv_columns[c]) == 0)
				imp->col[c] = i;
	}
	return (imp->col[CI_HANDLE] == -1 ? -1 : 0);
}

/*
 * A SKU on two rows of the file: on two products (the later row is an
 * error), or twice in one product.  Noted per row for the group checks.
 */
void
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
cJSON *
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
cJSON *
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

