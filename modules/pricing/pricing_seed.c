/*
 * Demo data on a first start: tax rates for four countries and two
 * customer groups, each published like a staff change so a checkout that
 * reads pricing's log gets them too.  Prices for the demo catalog arrive
 * through catalog's events, not from here.
 */
#include "core/core_db.h"
#include "core/core_id.h"
#include "modules/pricing/pricing_int.h"

/* Standard, reduced and zero rates, parts per 100,000. */
static const struct {
	const char	*country;
	int64_t		 standard, reduced, zero;
} pricing_seed_rates[] = {
	{ "DE", 19000, 7000, 0 },
	{ "FR", 20000, 5500, 0 },
	{ "NL", 21000, 9000, 0 },
	{ "AT", 20000, 10000, 0 },
};

static const struct {
	const char	*name, *code;
} pricing_seed_groups[] = {
	{ "Wholesale", "wholesale" },
	{ "VIP", "vip" },
};

int
pricing_seed(sqlite3 *db)
{
	char	id[CORE_ID_MAX];
	size_t	i;

	for (i = 0; i < sizeof(pricing_seed_rates) /
	    sizeof(pricing_seed_rates[0]); i++) {
		if (pricing_tax_rate_set(db, pricing_seed_rates[i].country,
		    "standard", pricing_seed_rates[i].standard) == -1 ||
		    pricing_tax_rate_set(db, pricing_seed_rates[i].country,
		    "reduced", pricing_seed_rates[i].reduced) == -1 ||
		    pricing_tax_rate_set(db, pricing_seed_rates[i].country,
		    "zero", pricing_seed_rates[i].zero) == -1)
			return (-1);
	}
	for (i = 0; i < sizeof(pricing_seed_groups) /
	    sizeof(pricing_seed_groups[0]); i++)
		if (pricing_group_insert(db, pricing_seed_groups[i].name,
		    pricing_seed_groups[i].code, id, sizeof(id)) != 0)
			return (-1);
	return (0);
}
