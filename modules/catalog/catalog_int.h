/*
 * Shared by the catalog module's files only.
 */
#ifndef CATALOG_INT_H
#define CATALOG_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/core_bus.h"
#include "core/core_http.h"

#define CATALOG_TITLE_MAX	200
#define CATALOG_DESC_MAX	20000
#define CATALOG_SKU_MAX		64
#define CATALOG_VARIANTS_MAX	100
#define CATALOG_OPTIONS_MAX	3
#define CATALOG_STOCK_MAX	1000000000
#define CATALOG_PAGE_MAX	100

/* catalog_products.c */
int	catalog_products_create(struct core_req *);
int	catalog_products_list(struct core_req *);
int	catalog_products_get(struct core_req *);
int	catalog_products_patch(struct core_req *);
int	catalog_products_delete(struct core_req *);
int	catalog_products_bulk_status(struct core_req *);

/* catalog_categories.c */
int	catalog_categories_create(struct core_req *);
int	catalog_categories_list(struct core_req *);

/*
 * The product at rowid as JSON: staff view (stock figures) or public view
 * (in_stock flags).  NULL if there is none.
 */
cJSON	*catalog_product_json(sqlite3 *, int64_t rowid, int staff);

/* catalog_validate.c: the product input rules. */
#define CATALOG_TEXT_FIELDS	4
/* vendor, product_type, seo_title, seo_description with their limits. */
extern const char *const catalog_text_fields[CATALOG_TEXT_FIELDS][2];
/* Checks the fields a create or a patch may carry; adds to *errors. */
void	catalog_product_validate(sqlite3 *, const cJSON *body, int create,
	    cJSON **errors);

/* Shared checks and helpers of catalog_products.c and catalog_validate.c. */
int	catalog_sku_valid(const char *);
int	catalog_slug_valid(const char *);
/* A slug for title into out, unique against the count query taken. */
void	catalog_slug_make(sqlite3 *, const char *taken, const char *title,
	    char *out, size_t len);
int	catalog_strings_valid(const cJSON *, int max, size_t len);
int	catalog_option_values_known(const cJSON *opts, const cJSON *vals);
int64_t	catalog_product_find(sqlite3 *, const char *id, int64_t *version,
	    char *status, size_t statuslen);
/* Adds column col of st (text) to o under key. */
void	catalog_add_text(cJSON *o, const char *key, sqlite3_stmt *st, int col);
/*
 * Begins a write transaction in which the version that sql reads for id
 * (one text parameter) is still version.  Returns 0 inside it, or -1
 * after answering 500 or, rolled back, 412 stale-edit naming what.
 */
int	catalog_begin_at(struct core_req *, sqlite3 *, const char *sql,
	    const char *id, int64_t version, const char *what);

/*
 * catalog_attributes.c: attribute definitions.  A value of kind number is
 * kept as text and as num, the value times 1000 (3 decimals at most).
 */
#define CATALOG_ATTR_CODE_MAX	40
#define CATALOG_ATTR_TEXT_MAX	200		/* characters of a text value */
#define CATALOG_ATTR_UNIT_MAX	20
#define CATALOG_ATTR_CHOICES_MAX 200
#define CATALOG_ATTR_NUM_MAX	1e9		/* |number| */

struct catalog_attr {
	char	 id[48];
	char	 code[CATALOG_ATTR_CODE_MAX + 1];
	char	 kind[16];
	cJSON	*choices;		/* owned: catalog_attr_cleanup */
	int64_t	 version;
};

int	catalog_attributes_list(struct core_req *);
int	catalog_attributes_get(struct core_req *);
int	catalog_attributes_create(struct core_req *);
int	catalog_attributes_patch(struct core_req *);
int	catalog_attributes_delete(struct core_req *);
/* Loads the attribute with code into a: 1 found, 0 not, -1 error. */
int	catalog_attr_find(sqlite3 *, const char *code, struct catalog_attr *a);
void	catalog_attr_cleanup(struct catalog_attr *);

/* catalog_types.c: product types. */
int	catalog_types_list(struct core_req *);
int	catalog_types_get(struct core_req *);
int	catalog_types_create(struct core_req *);
int	catalog_types_patch(struct core_req *);
int	catalog_types_delete(struct core_req *);

/* catalog_values.c: a product's type_id and attribute values. */
/*
 * Checks type_id and attributes of a product create (rowid -1) or patch
 * body, merged with what product rowid holds; adds to *errors.
 */
void	catalog_values_validate(sqlite3 *, const cJSON *body, int64_t rowid,
	    cJSON **errors);
/* Writes a validated body's type_id and attributes (in tx): 0 or -1. */
int	catalog_values_write(sqlite3 *, int64_t rowid, const cJSON *body);
/* Adds "type_id" and "attributes" of product rowid to o. */
void	catalog_values_json(sqlite3 *, int64_t rowid, cJSON *o);
/* The searchable attribute words of rowid ("linen 120 cm"); free(). */
char	*catalog_values_text(sqlite3 *, int64_t rowid);

/* catalog_variants.c */
int	catalog_variants_create(struct core_req *);
int	catalog_variants_patch(struct core_req *);
int	catalog_variants_delete(struct core_req *);

/* Rewrites the search row and publishes catalog.product.upserted (in tx). */
int	catalog_product_changed(sqlite3 *, int64_t rowid);

/* catalog_stock.c */
int	catalog_stock_get(struct core_req *);
int	catalog_stock_list(struct core_req *);
int	catalog_stock_adjust(struct core_req *);
int	catalog_on_order_created(sqlite3 *, const struct core_event *);
int	catalog_on_order_cancelled(sqlite3 *, const struct core_event *);
int	catalog_on_order_shipped(sqlite3 *, const struct core_event *);
int	catalog_on_order_refunded(sqlite3 *, const struct core_event *);
int	catalog_on_price_changed(sqlite3 *, const struct core_event *);

/*
 * Records a stock change of variant (rowid) in the ledger and publishes
 * catalog.stock.changed (and catalog.stock.low when it crosses its
 * threshold).  Inside a write transaction.  Returns 0 or -1.
 */
int	catalog_stock_move(sqlite3 *, int64_t variant, int64_t on_hand_delta,
	    int64_t reserved_delta, const char *reason, const char *reference,
	    const char *note);

/*
 * catalog_csv.c: an RFC 4180 file read into rows of fields.  Row 0 is the
 * header; each row keeps the line it starts on.  Fields point into buf.
 */
#define CATALOG_CSV_ROWS_MAX	20000		/* data rows */
#define CATALOG_CSV_BYTES_MAX	(10 * 1024 * 1024)
#define CATALOG_CSV_COLS_MAX	64

struct catalog_csv_row {
	int		 line;		/* 1-based line the row starts on */
	size_t		 first;		/* index of its first field */
	int		 n;		/* number of fields */
};

struct catalog_csv {
	char			*buf;
	char			**fields;
	size_t			 nfields, fieldcap;
	struct catalog_csv_row	*rows;
	size_t			 nrows, rowcap;
	int			 row_fields;	/* while parsing */
	int			 errline;	/* 0: the whole file */
	char			 error[96];
};

/*
 * Parses len bytes (a UTF-8 BOM is skipped) into c, which the caller
 * cleans up either way.  Returns 0, or -1 with c->error and c->errline.
 */
int	catalog_csv_parse(struct catalog_csv *c, const char *data, size_t len);
void	catalog_csv_cleanup(struct catalog_csv *c);
/* Field col of row, "" when the row is shorter or col is -1.  Borrowed. */
const char *catalog_csv_get(const struct catalog_csv *c, size_t row, int col);
/* 1 if s must be quoted when written as a CSV field. */
int	catalog_csv_quote_needed(const char *s);
/*
 * "19.99" (major units, at most 2 decimals, no sign) into minor units.
 * Returns 0, or -1 for anything else.
 */
int	catalog_price_parse(const char *s, int64_t *minor);

/*
 * catalog_import*.c: product CSV in Shopify's layout, read one product at
 * a time (the rows of one Handle, in the order of their first row).
 */
enum {
	CI_HANDLE, CI_TITLE, CI_BODY, CI_VENDOR, CI_TYPE, CI_TAGS, CI_STATUS,
	CI_O1N, CI_O1V, CI_O2N, CI_O2V, CI_O3N, CI_O3V, CI_SKU, CI_GRAMS,
	CI_PRICE, CI_COMPARE, CI_QTY, CI_IMG, CI_IMGPOS, CI_IMGALT,
	CATALOG_CSV_NCOLS
};
/* The columns read, in the order export writes them. */
extern const char *const catalog_csv_columns[CATALOG_CSV_NCOLS];

#define CATALOG_IMPORT_ERRORS_MAX	1000	/* reported; all are counted */
#define CATALOG_IMPORT_SKIPPED		0
#define CATALOG_IMPORT_CREATED		1
#define CATALOG_IMPORT_UPDATED		2

/* A data row's handle, for grouping rows by product. */
struct catalog_import_key {
	const char	*handle;
	size_t		 row;
};

/* The rows of one handle: keys[start .. start + n) of the sorted keys. */
struct catalog_import_group {
	size_t		 start, n;
	size_t		 first;		/* the handle's first row */
	int		 nerr;
};

/*
 * A parsed file.  groups are the products in the order of their first
 * row, the same on every parse of the same bytes: a resumed job counts
 * on it.
 */
struct catalog_import {
	sqlite3			*db;
	struct catalog_csv	 csv;
	int			 col[CATALOG_CSV_NCOLS];
	int			 write;		/* this product: write it */
	cJSON			*errors;	/* this product's, borrowed */
	const char		**rowerr;	/* per row: SKU clash in file */
	struct catalog_import_key *keys;
	size_t			 nkeys;
	struct catalog_import_group *groups;
	size_t			 ngroups;
	char			 who[64];	/* the ledger's reference */
};

/* catalog_import.c: the file into products, each checked and written. */
int	catalog_import_new(struct catalog_import **, sqlite3 *,
	    const char *data, size_t len, const char *who, cJSON **errors);
void	catalog_import_free(struct catalog_import *);
int	catalog_import_product(struct catalog_import *, size_t i, int write,
	    cJSON *errors, size_t *rows, int *nerr);
int	catalog_import_check(sqlite3 *, const char *data, size_t len,
	    cJSON **report);

/* catalog_import_rows.c: reading and checking fields of rows. */
const char *catalog_import_f(const struct catalog_import *, size_t row,
	    int col);
void	catalog_import_error(struct catalog_import *,
	    struct catalog_import_group *, size_t row, const char *field,
	    const char *msg);
int	catalog_import_int(const char *, int64_t max, int64_t *out);
/* Orders keys by handle, then row. */
int	catalog_import_key_cmp(const void *, const void *);
int	catalog_import_header(struct catalog_import *);
void	catalog_import_sku_clashes(struct catalog_import *);
cJSON	*catalog_import_tags(struct catalog_import *,
	    struct catalog_import_group *, size_t row);
cJSON	*catalog_import_images(struct catalog_import *,
	    struct catalog_import_group *);

/*
 * catalog_import_job.c: imports as background jobs (import_jobs), worked
 * on in slices by whichever process holds the job's lease.
 */
int	catalog_import_job_create(sqlite3 *, const char *data, size_t len,
	    const char *filename, const char *who, char *id, size_t idlen,
	    cJSON **errors);
int	catalog_import_job_work(sqlite3 *, const char *only,
	    uint64_t budget_us);
cJSON	*catalog_import_job_json(sqlite3 *, const char *id, int errors);
int	catalog_import_job_init(sqlite3 *);

/* catalog_import_http.c and catalog_export.c */
int	catalog_import_http(struct core_req *);
int	catalog_import_get(struct core_req *);
int	catalog_import_list(struct core_req *);
int	catalog_export_http(struct core_req *);

/* catalog_import_cli.c */
int	catalog_import_cli(int argc, char **argv);

/*
 * 1 if the product whose rowid is the SQL expression p has a variant a
 * shopper can buy now: untracked, backordered or with stock available.
 */
#define CATALOG_IN_STOCK(p) "(EXISTS (SELECT 1 FROM variants v WHERE" \
    " v.product = " p " AND (v.track_stock = 0 OR v.allow_backorder = 1" \
    " OR v.on_hand > v.reserved)))"

/*
 * catalog_listing.c: the listing row and the search term table, written
 * inside the caller's write transaction; each returns 0 or -1.
 */
/* Rewrites product rowid's listing row from its tables. */
int	catalog_listing_write(sqlite3 *, int64_t rowid);
/* Before rowid's search row is replaced or removed: its words uncounted. */
int	catalog_listing_unindex(sqlite3 *, int64_t rowid);
/* After rowid's search row is written: its words counted, listing row. */
int	catalog_listing_indexed(sqlite3 *, int64_t rowid);
/* Before product rowid is deleted: words uncounted, listing 'deleted'. */
int	catalog_listing_deleted(sqlite3 *, int64_t rowid);
/* After a stock move of variant: in_stock of its listing when it flips. */
int	catalog_listing_stock(sqlite3 *, int64_t variant);
/* After sku's price changed: its product's price range. */
int	catalog_listing_price(sqlite3 *, const char *sku);
/* Every listing row again (and with terms, search_terms from the index). */
int	catalog_listing_rebuild(sqlite3 *, int terms);
/* At worker start: rebuilds what is missing (older files), own tx. */
int	catalog_listing_backfill(sqlite3 *);
/*
 * word as FTS5 indexes it (case and diacritics folded) into out: 0 when it
 * is exactly one token, else -1.
 */
int	catalog_listing_fold(sqlite3 *, const char *word, char *out,
	    size_t len);

/*
 * catalog_index.c: the per-worker in-memory facet index over listing rows.
 * Bitsets are catalog_index_words() 64-bit words, bit n = product rowid n.
 */
#define CATALOG_PRICE_BUCKETS	5
#define CATALOG_FILTER_ATTRS	8
#define CATALOG_FILTER_VALUES	16
#define CATALOG_FILTER_CODE_MAX	40
#define CATALOG_FILTER_VALUE_MAX 200

enum catalog_sort {
	CATALOG_SORT_RELEVANCE, CATALOG_SORT_NEWEST, CATALOG_SORT_NAME,
	CATALOG_SORT_PRICE_ASC, CATALOG_SORT_PRICE_DESC
};

/* Lower bounds (minor units) of the price facet's buckets. */
extern const int64_t catalog_price_bounds[CATALOG_PRICE_BUCKETS];

struct catalog_filter {
	const char	*category;		/* NULL: any */
	int		 in_stock;		/* -1: either */
	int64_t		 price_lo, price_hi;	/* -1: open */
	int		 nattrs;
	struct {
		char	 code[CATALOG_FILTER_CODE_MAX + 1];
		int	 nvalues;
		char	*values[CATALOG_FILTER_VALUES];
	}		 attrs[CATALOG_FILTER_ATTRS];
};

/* Builds the index or catches up with listings.seq.  0 or -1. */
int	catalog_index_refresh(sqlite3 *);
uint32_t catalog_index_words(void);
uint32_t catalog_bits_count(const uint64_t *, uint32_t nw);
/* 1 if code is a filterable attribute. */
int	catalog_index_attr_known(const char *code);
/*
 * Narrows set (candidates) to the active products passing f and adds the
 * facets to facets, each counted with every filter but its own.  0 or -1.
 */
int	catalog_index_apply(uint64_t *set, const struct catalog_filter *f,
	    cJSON *facets);
/* The listings.seq the index is at. */
int64_t	catalog_index_seq(void);
/* Product id's title ("" if none; borrowed until the next refresh). */
const char *catalog_index_title(uint32_t id);
/* Product id's lowest price in minor units, -1 if it has none. */
int64_t	catalog_index_price(uint32_t id);

/*
 * catalog_order.c: rowids of set in sort's order (relevance here: newest),
 * skipping skip, at most limit into out.  Returns how many.
 */
size_t	catalog_index_order(const uint64_t *set, int sort, size_t skip,
	    size_t limit, int64_t *out);

/*
 * catalog_hot.c: the match bitset (catalog_index_words() words) of one
 * FTS5 phrase of a word estimated to match CATALOG_HOT_MIN products or
 * more, kept per worker for the index's seq.  Borrowed until the next
 * call; NULL on an error.
 */
#define CATALOG_HOT_MIN		10000
#define CATALOG_HOT_MAX		64
const uint64_t *catalog_hot_get(sqlite3 *, const char *phrase, uint32_t nw,
	    int64_t seq);

/*
 * Calls fn for each indexed word without digits of lo to hi characters
 * (kept per worker for seq) whose letter set differs from mask in at most
 * maxdiff letters, with its document count.  0 or -1.  Each edit changes
 * the set of letters by at most 2, so maxdiff = 2 x edits loses no word
 * within that many edits.
 */
#define CATALOG_VOCAB_LEN_MAX	64
int	catalog_vocab_each(sqlite3 *, int64_t seq, int lo, int hi,
	    uint32_t mask, int maxdiff,
	    void (*fn)(void *, const char *, int64_t), void *arg);
/* The letters a-z of t as bits 0-25, any other byte as bit 26. */
uint32_t catalog_vocab_mask(const char *t);

/* catalog_search.c */
int	catalog_search(struct core_req *);
/*
 * A worker's first-use work done ahead: listing rows of an older file, the
 * page cache size, the index.  A failure is logged and left to the first
 * search to retry.
 */
void	catalog_search_warm(sqlite3 *);

/* catalog_seed.c */
int	catalog_seed(sqlite3 *);
/* catalog_seed_attrs.c: demo attributes, types and values. */
int	catalog_seed_attributes(sqlite3 *);
int	catalog_seed_values(sqlite3 *, int kind, int i, int64_t rowid,
	    const char *adjective, const char *material);

#endif
