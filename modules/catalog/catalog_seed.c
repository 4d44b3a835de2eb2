/*
 * Demo data for a first start: four categories and 48 products with
 * variants and stock, so the admin and the storefront have something
 * believable to show.  Deterministic: the same data every time.
 */
#include <stdio.h>
#include <string.h>

#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/catalog/catalog_int.h"

struct seed_kind {
	const char	*category;
	const char	*slug;
	const char	*noun;
	const char	*option;		/* NULL: no options */
	const char	*values[5];
	int		 grams;
};

static const struct seed_kind seed_kinds[] = {
	{ "Shirts", "shirts", "Shirt", "Size", { "S", "M", "L", "XL" }, 220 },
	{ "Trousers", "trousers", "Trousers", "Size", { "30", "32", "34",
	    "36" }, 480 },
	{ "Shoes", "shoes", "Sneakers", "Size", { "40", "41", "42", "43",
	    "44" }, 900 },
	{ "Accessories", "accessories", "Tote Bag", NULL, { NULL }, 300 },
};

static const char *seed_adjectives[] = {
	"Classic", "Relaxed", "Everyday", "Organic", "Vintage", "Slim",
	"Heavyweight", "Lightweight", "Recycled", "Summer", "Winter", "Studio"
};
static const char *seed_materials[] = { "Linen", "Cotton", "Denim",
    "Canvas", "Wool", "Hemp" };

static int
seed_category(sqlite3 *db, const struct seed_kind *k, char *id, size_t len)
{
	sqlite3_stmt	*st;
	int64_t		 now;

	core_id_new(id, len, "cat");
	now = core_db_now_ms();
	if ((st = core_db_stmt(db, "INSERT INTO categories (id, name, slug,"
	    " position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) ==
	    NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->slug, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)(k - seed_kinds));
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, now);
	return (sqlite3_step(st) == SQLITE_DONE ? 0 :
	    core_db_err(db, "seed category"));
}

static int
seed_product(sqlite3 *db, const struct seed_kind *k, const char *cat, int i)
{
	sqlite3_stmt	*st;
	char		 id[CORE_ID_MAX], vid[CORE_ID_MAX], title[128];
	char		 slug[128], desc[512], sku[64], opts[256];
	const char	*adj, *mat;
	int64_t		 rowid, vrow, now;
	int		 v, nv, stock;

	adj = seed_adjectives[i % 12];
	mat = seed_materials[(i / 2) % 6];
	snprintf(title, sizeof(title), "%s %s %s", adj, mat, k->noun);
	snprintf(slug, sizeof(slug), "%s-%s-%s-%d", adj, mat, k->slug, i);
	for (v = 0; slug[v] != '\0'; v++)
		if (slug[v] >= 'A' && slug[v] <= 'Z')
			slug[v] = (char)(slug[v] - 'A' + 'a');
		else if (slug[v] == ' ')
			slug[v] = '-';
	snprintf(desc, sizeof(desc), "<p>A %s %s %s in %s, made to last and "
	    "easy to care for.</p><ul><li>%s</li><li>Ships in 2 days</li>"
	    "</ul>", adj, mat, k->noun, mat, mat);
	if (k->option != NULL)
		snprintf(opts, sizeof(opts), "[{\"name\":\"%s\",\"values\":"
		    "[\"%s\",\"%s\",\"%s\",\"%s\"%s%s%s]}]", k->option,
		    k->values[0], k->values[1], k->values[2], k->values[3],
		    k->values[4] ? ",\"" : "", k->values[4] ? k->values[4] : "",
		    k->values[4] ? "\"" : "");
	else
		snprintf(opts, sizeof(opts), "[]");
	core_id_new(id, sizeof(id), "prod");
	now = core_db_now_ms();
	if ((st = core_db_stmt(db, "INSERT INTO products (id, title, slug,"
	    " description, status, vendor, product_type, tags, options, images,"
	    " primary_category, created_at, updated_at) VALUES (?, ?, ?, ?,"
	    " ?, 'mercato demo', ?, ?, ?,"
	    " json_array(json_object('url', '/static/demo-' || ? || '.svg',"
	    " 'alt', ?)), ?, ?, ?)")) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, desc, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, i % 11 == 10 ? "draft" : "active", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 6, k->category, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, i % 3 == 0 ? "[\"new\",\"bestseller\"]" :
	    "[\"new\"]", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, opts, -1, SQLITE_STATIC);
	/* A drawing of the kind, served by the binary (assets/static). */
	sqlite3_bind_text(st, 9, k->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, cat, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, now);
	sqlite3_bind_int64(st, 13, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "seed product"));
	rowid = sqlite3_last_insert_rowid(db);
	if ((st = core_db_stmt(db, "INSERT INTO product_categories (product,"
	    " category) VALUES (?, ?)")) == NULL)
		return (-1);
	sqlite3_bind_int64(st, 1, rowid);
	sqlite3_bind_text(st, 2, cat, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return (core_db_err(db, "seed product category"));
	nv = k->option == NULL ? 1 : (k->values[4] ? 5 : 4);
	for (v = 0; v < nv; v++) {
		snprintf(sku, sizeof(sku), "%.3s-%02d%s%s", k->slug, i,
		    k->option ? "-" : "", k->option ? k->values[v] : "");
		for (stock = 0; sku[stock] != '\0'; stock++)
			if (sku[stock] >= 'a' && sku[stock] <= 'z')
				sku[stock] = (char)(sku[stock] - 'a' + 'A');
		core_id_new(vid, sizeof(vid), "var");
		if ((st = core_db_stmt(db, "INSERT INTO variants (id, product,"
		    " sku, option1, weight_grams, position) VALUES (?, ?, ?,"
		    " ?, ?, ?)")) == NULL)
			return (-1);
		sqlite3_bind_text(st, 1, vid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, rowid);
		sqlite3_bind_text(st, 3, sku, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, k->option ? k->values[v] : "", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(st, 5, k->grams);
		sqlite3_bind_int(st, 6, v);
		if (sqlite3_step(st) != SQLITE_DONE)
			return (core_db_err(db, "seed variant"));
		vrow = sqlite3_last_insert_rowid(db);
		/* Some sizes sold out, some low, most plenty. */
		stock = (i * 7 + v * 13) % 40;
		if (stock > 0 && catalog_stock_move(db, vrow, stock, 0,
		    "import", "", "demo data") == -1)
			return (-1);
	}
	if (catalog_seed_values(db, (int)(k - seed_kinds), i, rowid, adj,
	    mat) == -1)
		return (-1);
	return (catalog_product_changed(db, rowid));
}

int
catalog_seed(sqlite3 *db)
{
	char	cat[CORE_ID_MAX];
	size_t	k;
	int	i;

	if (catalog_seed_attributes(db) == -1)
		return (-1);
	for (k = 0; k < sizeof(seed_kinds) / sizeof(seed_kinds[0]); k++) {
		if (seed_category(db, &seed_kinds[k], cat, sizeof(cat)) == -1)
			return (-1);
		for (i = 0; i < 12; i++)
			if (seed_product(db, &seed_kinds[k], cat, i) == -1)
				return (-1);
	}
	return (0);
}
