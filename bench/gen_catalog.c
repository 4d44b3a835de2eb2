/*
 * gen_catalog: fills a migrated catalog.db with a synthetic catalog of the
 * size ../shared/notes/search-at-scale.md measured (200,000 products,
 * 1,000,000 SKUs, 200 categories, 6 filterable attributes with 340 values,
 * descriptions from a Zipf-Mandelbrot vocabulary of 40,000 words), writing
 * the same rows the application writes: products, variants, prices,
 * categories, attributes and values, the search row, the listing row and
 * the term table.  Deterministic (fixed seed).  It then picks the bench's
 * queries from the term table and prints them, one "kind path" a line.
 *
 *	./mercato migrate --data DIR
 *	build/gen_catalog DIR/catalog.db [products] > DIR/queries.txt
 *
 * Not part of the shop binary; built by `make bench-search`.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VOCAB		40000
#define VARIANTS	5
#define ROOTS		12
#define CATEGORIES	200

static uint64_t	rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng);
}

static double
unif(void)
{
	return ((double)(rnd() >> 11) / 9007199254740992.0);
}

static int
pick(int n)
{
	return ((int)(rnd() % (uint64_t)n));
}

static const char *syl[] = {
	"ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "pe", "da", "fu",
	"ge", "hi", "jo", "ku", "la", "mo", "ni", "po", "ri", "sa", "te",
	"vo", "we", "xa", "yo", "zu", "bra", "cle", "dro", "fli", "gri",
	"pla", "sti", "tro"
};
#define NSYL	(int)(sizeof(syl) / sizeof(syl[0]))

static const char *real[] = {
	"shirt", "linen", "cotton", "jacket", "dress", "trousers", "skirt",
	"sweater", "cardigan", "coat", "scarf", "hat", "cap", "sneakers",
	"boots", "sandals", "belt", "bag", "tote", "wallet", "socks", "jeans",
	"denim", "wool", "silk", "leather", "canvas", "hemp", "cashmere",
	"organic", "recycled", "soft", "warm", "light", "breathable",
	"waterproof", "stretch", "slim", "relaxed", "classic", "vintage",
	"modern", "casual", "formal", "summer", "winter", "autumn", "spring",
	"travel", "outdoor", "running", "hiking", "everyday", "weekend",
	"pocket", "collar", "sleeve", "button", "zip", "hood", "lining",
	"stitch", "woven", "knit", "printed", "striped", "checked", "plain",
	"handmade", "durable", "comfortable", "washable", "premium", "gift"
};
#define NREAL	(int)(sizeof(real) / sizeof(real[0]))

static const char *nouns[] = {
	"Shirt", "T-Shirt", "Jacket", "Dress", "Trousers", "Skirt", "Sweater",
	"Cardigan", "Coat", "Scarf", "Hat", "Cap", "Sneakers", "Boots",
	"Sandals", "Belt", "Bag", "Tote", "Wallet", "Socks", "Jeans", "Hoodie",
	"Blazer", "Shorts", "Vest", "Gloves", "Beanie", "Parka", "Blouse",
	"Polo", "Chinos", "Loafers", "Backpack", "Poncho", "Overshirt",
	"Jumpsuit", "Tunic", "Kimono", "Pyjamas", "Apron"
};
static const char *adjs[] = {
	"Classic", "Everyday", "Relaxed", "Slim", "Soft", "Warm", "Light",
	"Vintage", "Modern", "Casual", "Organic", "Essential", "Heritage",
	"Urban", "Coastal", "Alpine", "Weekend", "Travel", "Studio", "Field"
};
static const char *attr_codes[] = {
	"colour", "size", "material", "brand", "pattern", "fit"
};
static const char *colours[] = {
	"black", "white", "grey", "navy", "blue", "red", "green", "yellow",
	"beige", "brown", "pink", "purple"
};
static const char *sizes[] = {
	"XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL"
};
static const char *materials[] = {
	"cotton", "linen", "wool", "silk", "denim", "leather", "hemp",
	"cashmere", "polyester", "canvas"
};
static const char *patterns[] = {
	"plain", "striped", "checked", "floral", "dotted", "printed"
};
static const char *fits[] = { "slim", "regular", "relaxed", "oversized" };

static char	*vocab[VOCAB];
static double	 cdf[VOCAB];
static char	 brands[300][24];

/* prefix + 26 Crockford base32 characters, unique per n. */
static void
ulid(char *out, const char *prefix, uint64_t n)
{
	static const char	 b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uint64_t		 x;
	size_t			 p;
	int			 i;

	x = n * 0x9E3779B97F4A7C15ULL;
	p = strlen(prefix);
	memcpy(out, prefix, p);
	for (i = 0; i < 10; i++, x >>= 5)
		out[p + i] = b32[x & 31];
	for (i = 25; i >= 10; i--, n >>= 5)
		out[p + i] = b32[n & 31];
	out[p + 26] = '\0';
}

static const char *
zipf_word(void)
{
	double	 u;
	int	 lo, hi, mid;

	if (unif() < 0.08)
		return (real[pick(NREAL)]);
	u = unif();
	for (lo = 0, hi = VOCAB - 1; lo < hi;) {
		mid = (lo + hi) / 2;
		if (cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (vocab[lo]);
}

static void
die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "gen_catalog: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die(db, sql);
	return (st);
}

static void
run(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		die(db, sqlite3_sql(st));
	sqlite3_reset(st);
}

static void
exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(db, sql);
}

static void
text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Prints up to n bench queries of kind from sql (first column: q text). */
static void
queries(sqlite3 *db, const char *kind, const char *sql, const char *extra,
    int n)
{
	sqlite3_stmt	*st;

	st = prep(db, sql);
	while (n-- > 0 && sqlite3_step(st) == SQLITE_ROW)
		printf("%s /api/v1/catalog/search?q=%s%s\n", kind,
		    sqlite3_column_text(st, 0), extra);
	sqlite3_finalize(st);
}

int
main(int argc, char **argv)
{
	sqlite3		*db;
	sqlite3_stmt	*cat, *prod, *pc, *var, *price, *pa, *fts, *lst, *attr;
	char		 id[64], cats[CATEGORIES][32], title[256], slug[300];
	char		 desc[8192], tags[512], skus[1024], atext[1024], sku[32];
	char		 opts[512], imgs[256], buf[64], word[32];
	const char	*colv[3], *sizev[5];
	double		 sum, base;
	int64_t		 now, amount, pmin, pmax, cmax;
	int		 nprod, i, j, k, n, ncol, nsize, instock, onhand, leaf;
	time_t		 t0;

	if (argc < 2) {
		fprintf(stderr, "usage: gen_catalog CATALOG.db [products]\n");
		return (2);
	}
	nprod = argc > 2 ? atoi(argv[2]) : 200000;
	if (nprod < 1000 || nprod > 2000000) {
		fprintf(stderr, "gen_catalog: products 1000..2000000\n");
		return (2);
	}
	t0 = time(NULL);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		die(db, "open");
	/* No journal while loading (a failed run is thrown away), WAL after. */
	exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
	    " PRAGMA cache_size = -262144; PRAGMA foreign_keys = OFF");
	if (sqlite3_exec(db, "SELECT 1 FROM listings LIMIT 0", NULL, NULL,
	    NULL) != SQLITE_OK) {
		fprintf(stderr, "gen_catalog: run 'mercato migrate' first\n");
		return (1);
	}
	/* The vocabulary: 40k syllable words, Zipf-Mandelbrot s=1, q=10. */
	for (i = 0, n = 0; n < VOCAB; i++) {
		snprintf(word, sizeof(word), "%s%s%s", syl[i % NSYL],
		    syl[(i / NSYL) % NSYL], i >= NSYL * NSYL ?
		    syl[(i / NSYL / NSYL) % NSYL] : "");
		vocab[n++] = strdup(word);
	}
	for (i = VOCAB - 1; i > 0; i--) {
		char	*t;

		j = pick(i + 1);
		t = vocab[i];
		vocab[i] = vocab[j];
		vocab[j] = t;
	}
	for (i = 0, sum = 0; i < VOCAB; i++)
		sum += 1.0 / (i + 1 + 10);
	for (i = 0, base = 0; i < VOCAB; i++) {
		base += 1.0 / (i + 1 + 10) / sum;
		cdf[i] = base;
	}
	for (i = 0; i < 300; i++)
		snprintf(brands[i], sizeof(brands[i]), "%c%s%s",
		    "BCDFGHKLMNPRSTV"[i % 15], syl[(i * 7) % NSYL],
		    syl[(i * 13 + 5) % NSYL]);

	now = (int64_t)time(NULL) * 1000 - (int64_t)nprod * 1000;
	exec(db, "BEGIN");
	/* Categories: 12 roots, 188 leaves. */
	cat = prep(db, "INSERT INTO categories (id, parent_id, name, slug,"
	    " position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	for (i = 0; i < CATEGORIES; i++) {
		ulid(cats[i], "cat_", (uint64_t)i + 1);
		text(cat, 1, cats[i]);
		if (i < ROOTS)
			sqlite3_bind_null(cat, 2);
		else
			text(cat, 2, cats[i % ROOTS]);
		snprintf(buf, sizeof(buf), "Category %d", i);
		text(cat, 3, buf);
		snprintf(buf, sizeof(buf), "category-%d", i);
		text(cat, 4, buf);
		sqlite3_bind_int(cat, 5, i);
		sqlite3_bind_int64(cat, 6, now);
		sqlite3_bind_int64(cat, 7, now);
		run(db, cat);
	}
	sqlite3_finalize(cat);
	/* Six filterable select attributes. */
	attr = prep(db, "INSERT INTO attributes (id, code, name, kind,"
	    " choices, filterable, searchable, position, created_at,"
	    " updated_at) VALUES (?, ?, ?, 'select', '[]', 1, 1, ?, ?, ?)");
	for (i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf), "attr_%s", attr_codes[i]);
		text(attr, 1, buf);
		text(attr, 2, attr_codes[i]);
		text(attr, 3, attr_codes[i]);
		sqlite3_bind_int(attr, 4, i);
		sqlite3_bind_int64(attr, 5, now);
		sqlite3_bind_int64(attr, 6, now);
		run(db, attr);
	}
	sqlite3_finalize(attr);

	prod = prep(db, "INSERT INTO products (rowid, id, title, slug,"
	    " description, status, vendor, tags, options, images,"
	    " primary_category, created_at, updated_at) VALUES (?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?)");
	pc = prep(db, "INSERT INTO product_categories (product, category)"
	    " VALUES (?, ?)");
	var = prep(db, "INSERT INTO variants (id, product, sku, option1,"
	    " option2, position, on_hand) VALUES (?, ?, ?, ?, ?, ?, ?)");
	price = prep(db, "INSERT INTO variant_prices (sku, amount, compare_at,"
	    " currency) VALUES (?, ?, ?, 'EUR')");
	pa = prep(db, "INSERT OR IGNORE INTO product_attributes (product,"
	    " attribute, value) VALUES (?, ?, ?)");
	fts = prep(db, "INSERT INTO product_search (rowid, title, description,"
	    " tags, skus, attributes) VALUES (?, ?, ?, ?, ?, ?)");
	lst = prep(db, "INSERT INTO listings (product, id, status, title, slug,"
	    " image, image_alt, price_min, price_max, compare_at_max, currency,"
	    " in_stock, created_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " 'EUR', ?, ?, ?)");
	for (i = 1; i <= nprod; i++) {
		const char *status = unif() < 0.97 ? "active" :
		    unif() < 0.66 ? "draft" : "archived";
		const char *brand = brands[pick(300)];
		const char *material = materials[pick(10)];
		const char *colour = colours[pick(12)];

		ulid(id, "prod_", (uint64_t)i);
		n = snprintf(title, sizeof(title), "%s %s", brand,
		    adjs[pick(20)]);
		if (unif() < 0.5)
			n += snprintf(title + n, sizeof(title) - n, " %s%s",
			    material, "");
		if (unif() < 0.5)
			n += snprintf(title + n, sizeof(title) - n, " %s",
			    colour);
		snprintf(title + n, sizeof(title) - n, " %s", nouns[pick(40)]);
		snprintf(slug, sizeof(slug), "p-%d", i);
		k = 35 + pick(31);
		n = snprintf(desc, sizeof(desc), "<p>");
		for (j = 0; j < k; j++)
			n += snprintf(desc + n, sizeof(desc) - n, "%s%s",
			    j ? " " : "", zipf_word());
		snprintf(desc + n, sizeof(desc) - n, "</p>");
		k = 3 + pick(3);
		n = snprintf(tags, sizeof(tags), "[");
		for (j = 0; j < k; j++)
			n += snprintf(tags + n, sizeof(tags) - n, "%s\"tag%d\"",
			    j ? "," : "", (int)(pow(unif(), 3) * 500));
		snprintf(tags + n, sizeof(tags) - n, "]");
		leaf = ROOTS + pick(CATEGORIES - ROOTS);
		ncol = 1 + pick(3);
		for (j = 0; j < ncol; j++)
			colv[j] = colours[pick(12)];
		nsize = 1 + pick(5);
		k = pick(4);
		for (j = 0; j < nsize; j++)
			sizev[j] = sizes[k + j < 8 ? k + j : 7];
		snprintf(opts, sizeof(opts), "[{\"name\":\"Size\",\"values\":"
		    "[\"%s\"]},{\"name\":\"Colour\",\"values\":[\"%s\"]}]",
		    sizev[0], colv[0]);
		snprintf(imgs, sizeof(imgs), unif() < 0.8 ? "[{\"url\":"
		    "\"https://cdn.example/p/%d.jpg\",\"alt\":\"\"}]" : "[]", i);

		sqlite3_bind_int(prod, 1, i);
		text(prod, 2, id);
		text(prod, 3, title);
		text(prod, 4, slug);
		text(prod, 5, desc);
		text(prod, 6, status);
		text(prod, 7, brand);
		text(prod, 8, tags);
		text(prod, 9, opts);
		text(prod, 10, imgs);
		text(prod, 11, cats[leaf]);
		sqlite3_bind_int64(prod, 12, now + i * 1000LL);
		sqlite3_bind_int64(prod, 13, now + i * 1000LL);
		run(db, prod);
		sqlite3_bind_int(pc, 1, i);
		text(pc, 2, cats[leaf]);
		run(db, pc);

		/* Five SKUs; a tenth of the products sold out. */
		base = exp(log(4000.0) + 0.8 * (unif() + unif() + unif() -
		    1.5) * 2);
		pmin = INT64_MAX;
		pmax = cmax = -1;
		instock = 0;
		n = 0;
		skus[0] = '\0';
		for (j = 0; j < VARIANTS; j++) {
			snprintf(sku, sizeof(sku), "G%07d-%d", i, j);
			ulid(buf, "var_", (uint64_t)i * VARIANTS + j);
			onhand = i % 10 == 0 || unif() < 0.3 ? 0 :
			    1 + pick(50);
			instock |= onhand > 0;
			text(var, 1, buf);
			sqlite3_bind_int(var, 2, i);
			text(var, 3, sku);
			text(var, 4, sizev[j % nsize]);
			text(var, 5, colv[j % ncol]);
			sqlite3_bind_int(var, 6, j);
			sqlite3_bind_int(var, 7, onhand);
			run(db, var);
			amount = (int64_t)(base * (1 + 0.05 * (j % 3))) + 99;
			pmin = amount < pmin ? amount : pmin;
			pmax = amount > pmax ? amount : pmax;
			text(price, 1, sku);
			sqlite3_bind_int64(price, 2, amount);
			if (i % 5 == 0) {
				sqlite3_bind_int64(price, 3, amount * 13 / 10);
				cmax = amount * 13 / 10 > cmax ?
				    amount * 13 / 10 : cmax;
			} else
				sqlite3_bind_null(price, 3);
			run(db, price);
			n += snprintf(skus + n, sizeof(skus) - n, "%s%s",
			    j ? " " : "", sku);
		}
		/* Values: colour and size from the variants, 2-4 more. */
		n = 0;
		atext[0] = '\0';
#define PA(code, v) do {						\
	snprintf(buf, sizeof(buf), "attr_%s", code);			\
	sqlite3_bind_int(pa, 1, i); text(pa, 2, buf); text(pa, 3, v);	\
	run(db, pa);							\
	n += snprintf(atext + n, sizeof(atext) - n, "%s%s", n ? " " : "", v); \
} while (0)
		for (j = 0; j < ncol; j++)
			PA("colour", colv[j]);
		for (j = 0; j < nsize; j++)
			PA("size", sizev[j]);
		PA("brand", brand);
		if (unif() < 0.8)
			PA("material", material);
		if (unif() < 0.5)
			PA("pattern", patterns[pick(6)]);
		if (unif() < 0.5)
			PA("fit", fits[pick(4)]);
		if (strcmp(status, "active") == 0) {
			sqlite3_bind_int(fts, 1, i);
			text(fts, 2, title);
			/* The search row holds the text without markup. */
			desc[strlen(desc) - 4] = '\0';
			text(fts, 3, desc + 3);
			text(fts, 4, tags);
			text(fts, 5, skus);
			text(fts, 6, atext);
			run(db, fts);
		}
		sqlite3_bind_int(lst, 1, i);
		text(lst, 2, id);
		text(lst, 3, status);
		text(lst, 4, title);
		text(lst, 5, slug);
		if (imgs[1] == ']') {
			sqlite3_bind_null(lst, 6);
			sqlite3_bind_null(lst, 7);
		} else {
			snprintf(buf, sizeof(buf),
			    "https://cdn.example/p/%d.jpg", i);
			text(lst, 6, buf);
			text(lst, 7, "");
		}
		sqlite3_bind_int64(lst, 8, pmin);
		sqlite3_bind_int64(lst, 9, pmax);
		if (cmax >= 0)
			sqlite3_bind_int64(lst, 10, cmax);
		else
			sqlite3_bind_null(lst, 10);
		sqlite3_bind_int(lst, 11, instock);
		sqlite3_bind_int64(lst, 12, now + i * 1000LL);
		sqlite3_bind_int(lst, 13, i);
		run(db, lst);
	}
	sqlite3_finalize(prod);
	sqlite3_finalize(pc);
	sqlite3_finalize(var);
	sqlite3_finalize(price);
	sqlite3_finalize(pa);
	sqlite3_finalize(fts);
	sqlite3_finalize(lst);
	exec(db, "INSERT INTO search_terms (term, doc) SELECT term, doc FROM"
	    " product_search_vocab");
	exec(db, "COMMIT");
	exec(db, "INSERT INTO product_search (product_search) VALUES"
	    " ('optimize')");
	exec(db, "PRAGMA journal_mode = WAL");
	fprintf(stderr, "gen_catalog: %d products, %d SKUs in %lds\n", nprod,
	    nprod * VARIANTS, (long)(time(NULL) - t0));

	/* The bench's queries, 10 of a kind where there are. */
	queries(db, "rare", "SELECT term FROM search_terms WHERE doc BETWEEN 20"
	    " AND 60 AND length(term) >= 5 AND term GLOB '[a-z]*'"
	    " ORDER BY term", "", 10);
	queries(db, "mid", "SELECT term FROM search_terms WHERE doc BETWEEN"
	    " 2500 AND 6000 AND length(term) >= 4 AND term GLOB '[a-z]*'"
	    " ORDER BY term", "", 10);
	queries(db, "common", "SELECT term FROM search_terms WHERE doc >"
	    " 40000 AND length(term) >= 4 AND term GLOB '[a-z]*'"
	    " ORDER BY doc DESC", "", 10);
	queries(db, "two", "SELECT a.term || '%20' || b.term FROM (SELECT"
	    " term, row_number() OVER (ORDER BY term) AS n FROM search_terms"
	    " WHERE doc BETWEEN 2500 AND 6000 AND length(term) >= 4 AND term"
	    " GLOB '[a-z]*') a JOIN (SELECT term, row_number() OVER (ORDER BY"
	    " doc DESC) AS n FROM search_terms WHERE doc > 40000 AND"
	    " length(term) >= 4 AND term GLOB '[a-z]*') b ON a.n = b.n", "",
	    10);
	queries(db, "prefix2", "SELECT DISTINCT substr(term, 1, 2) FROM"
	    " search_terms WHERE doc > 20000 AND term GLOB '[a-z][a-z]*'", "",
	    10);
	queries(db, "prefix3", "SELECT DISTINCT substr(term, 1, 3) FROM"
	    " search_terms WHERE doc > 8000 AND term GLOB '[a-z][a-z][a-z]*'",
	    "", 10);
	/* Two letters swapped in a mid word, when nothing starts with it. */
	queries(db, "typo", "SELECT t FROM (SELECT substr(term, 1, 2) ||"
	    " substr(term, 4, 1) || substr(term, 3, 1) || substr(term, 5) AS t"
	    " FROM search_terms WHERE doc BETWEEN 1000 AND 6000 AND"
	    " length(term) >= 6 AND term GLOB '[a-z]*') WHERE NOT EXISTS"
	    " (SELECT 1 FROM search_terms WHERE term >= t AND term < t ||"
	    " 'zzzz')", "", 10);
	queries(db, "filtered", "SELECT term FROM search_terms WHERE doc >"
	    " 40000 AND length(term) >= 4 AND term GLOB '[a-z]*' ORDER BY doc"
	    " DESC", "&in_stock=true&attr.colour=red,blue&price_min=2000"
	    "&price_max=10000", 10);
	queries(db, "price_sort", "SELECT term FROM search_terms WHERE doc"
	    " BETWEEN 2500 AND 6000 AND length(term) >= 4 AND term GLOB"
	    " '[a-z]*' ORDER BY term", "&sort=price_asc", 10);
	for (i = 0; i < 10; i++)
		printf("noquery /api/v1/catalog/search?category=%s%s\n",
		    cats[ROOTS + i * 17], i % 2 ? "&attr.size=M" : "");
	printf("noquery /api/v1/catalog/search\n");
	sqlite3_close(db);
	return (0);
}
