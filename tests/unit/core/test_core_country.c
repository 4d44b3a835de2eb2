/*
 * core_country_valid: the ISO 3166-1 alpha-2 list, by binary search.
 */
#include <criterion/criterion.h>

#include "core/core_country.h"

Test(core_country, accepts_assigned_codes_first_last_and_between)
{
	const char	*ok[] = { "AD", "DE", "GB", "NL", "US", "XK", "ZW" };
	size_t		 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert(core_country_valid(ok[i]), "%s", ok[i]);
}

Test(core_country, refuses_unassigned_lower_case_and_wrong_lengths)
{
	const char	*bad[] = { "ZZ", "UK", "EU", "AA", "de", "De", "D", "DEU",
	    "", "D1", "ZX" };
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(core_country_valid(bad[i]), "%s", bad[i]);
	cr_assert_not(core_country_valid(NULL));
}
