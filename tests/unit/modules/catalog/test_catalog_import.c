/*
 * Unit tests of modules/catalog/catalog_import.c and catalog_import_rows.c
 * without a database: how a file becomes products (the rows of a Handle
 * grouped, products in the order of their first row, the same order on
 * every parse, which a resumed import job counts on), files that are not
 * product CSVs, SKUs a file repeats, and the whole-number reader.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "modules/catalog/catalog_int.h"

static struct catalog_import	*import_parse(const char *);

static struct catalog_import *
import_parse(const char *csv)
{
	struct catalog_import	*imp;
	cJSON			*errors;

	cr_assert_eq(catalog_import_new(&imp, NULL, csv, strlen(csv), "test",
	    &errors), 0);
	cr_assert_null(errors);
	return (imp);
}

Test(catalog_import, products_in_order_of_their_first_row)
{
	static const char	csv[] = "Title,Handle,Variant SKU\r\n"
	    "B,bbb,B1\r\n"		/* line 2, row 1 */
	    "A,aaa,A1\r\n"		/* row 2 */
	    ",bbb,B2\r\n"		/* row 3 */
	    "C,ccc,C1\r\n"		/* row 4 */
	    ",aaa,A2\r\n"		/* row 5 */
	    ",bbb,B3\r\n";		/* row 6 */
	static const size_t	first[] = { 1, 2, 4 }, n[] = { 3, 2, 1 };
	static const char	*const handles[] = { "bbb", "aaa", "ccc" };
	struct catalog_import	*imp, *again;
	size_t			 i, k;

	imp = import_parse(csv);
	cr_assert_eq(imp->nkeys, 6);
	cr_assert_eq(imp->ngroups, 3);
	for (i = 0; i < 3; i++) {
		cr_expect_eq(imp->groups[i].first, first[i], "product %zu", i);
		cr_expect_eq(imp->groups[i].n, n[i], "product %zu", i);
		cr_expect_str_eq(catalog_import_f(imp, imp->groups[i].first,
		    CI_HANDLE), handles[i]);
		/* Its rows in file order. */
		for (k = imp->groups[i].start + 1; k < imp->groups[i].start +
		    imp->groups[i].n; k++)
			cr_expect_lt(imp->keys[k - 1].row, imp->keys[k].row);
	}
	cr_expect_eq(imp->csv.rows[imp->groups[2].first].line, 5);
	/* A second parse of the same bytes: the same products, same order. */
	again = import_parse(csv);
	cr_assert_eq(again->ngroups, imp->ngroups);
	for (i = 0; i < imp->ngroups; i++) {
		cr_expect_eq(again->groups[i].first, imp->groups[i].first);
		cr_expect_eq(again->groups[i].n, imp->groups[i].n);
		cr_expect_eq(again->groups[i].start, imp->groups[i].start);
	}
	catalog_import_free(again);
	catalog_import_free(imp);
}

Test(catalog_import, header_alone_is_an_empty_file)
{
	struct catalog_import	*imp;

	imp = import_parse("Handle,Title\n");
	cr_expect_eq(imp->nkeys, 0);
	cr_expect_eq(imp->ngroups, 0);
	catalog_import_free(imp);
	catalog_import_free(NULL);
}

Test(catalog_import, not_a_product_csv)
{
	static const char	nohandle[] = "Title,Vendor\nx,y\n";
	static const char	unclosed[] = "Handle\n\"open\n";
	struct catalog_import	*imp;
	cJSON			*errors, *e;

	cr_assert_eq(catalog_import_new(&imp, NULL, nohandle, strlen(nohandle),
	    "test", &errors), 1);
	cr_assert_null(imp);
	cr_assert_eq(cJSON_GetArraySize(errors), 1);
	e = cJSON_GetArrayItem(errors, 0);
	cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(e, "line")), 1);
	cr_expect_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(e, "field")),
	    "Handle");
	cJSON_Delete(errors);

	cr_assert_eq(catalog_import_new(&imp, NULL, unclosed,
	    strlen(unclosed), "test", &errors), 1);
	e = cJSON_GetArrayItem(errors, 0);
	cr_expect_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(e, "line")), 2);
	cr_expect_null(cJSON_GetObjectItem(e, "field"));
	cJSON_Delete(errors);
}

Test(catalog_import, skus_the_file_repeats)
{
	struct catalog_import	*imp;

	imp = import_parse("Handle,Variant SKU\n"
	    "aaa,S1\n"			/* row 1 */
	    "aaa,S1\n"			/* row 2: twice in one product */
	    "bbb,S2\n"			/* row 3 */
	    "ccc,S2\n"			/* row 4: another product's */
	    "ccc,\n");			/* row 5: no SKU, no clash */
	cr_expect_null(imp->rowerr[1]);
	cr_expect_str_eq(imp->rowerr[2], "is repeated in this product");
	cr_expect_null(imp->rowerr[3]);
	cr_expect_str_eq(imp->rowerr[4],
	    "belongs to another product in this file");
	cr_expect_null(imp->rowerr[5]);
	catalog_import_free(imp);
}

Test(catalog_import, whole_numbers)
{
	int64_t	v;

	cr_expect_eq(catalog_import_int("0", 10, &v), 0);
	cr_expect_eq(v, 0);
	cr_expect_eq(catalog_import_int("200.0", 1000, &v), 0);
	cr_expect_eq(v, 200);
	cr_expect_eq(catalog_import_int("200.", 1000, &v), 0);
	cr_expect_eq(v, 200);
	cr_expect_eq(catalog_import_int("1000000000", CATALOG_STOCK_MAX, &v),
	    0);
	cr_expect_eq(catalog_import_int("1000000001", CATALOG_STOCK_MAX, &v),
	    -1);
	cr_expect_eq(catalog_import_int("99999999999999999999999", 10, &v),
	    -1);
	cr_expect_eq(catalog_import_int("200.5", 1000, &v), -1);
	cr_expect_eq(catalog_import_int("-1", 10, &v), -1);
	cr_expect_eq(catalog_import_int("", 10, &v), -1);
	cr_expect_eq(catalog_import_int(" 1", 10, &v), -1);
	cr_expect_eq(catalog_import_int("1e3", 10000, &v), -1);
}
