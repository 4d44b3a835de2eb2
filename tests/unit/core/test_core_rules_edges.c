/*
 * Property tests of the pricing rules engine at its edges: buy X get Y
 * against brute force over every assignment of units, and bad input,
 * one field at a time, refused with the right error and culprit.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "core/core_rules.h"
#include "tests/unit/core/rules_prop.h"

/*
 * Buy X get Y against brute force: small carts (at most 8 units) whose
 * lines are in X, in Y, in both or in neither; every assignment of every
 * unit to X, Y or nothing is tried.  The engine must find the most
 * applications any assignment allows, and make free the cheapest Y units
 * any such assignment can (the discount is 100%, so amounts are exact).
 */
Test(core_rules_prop, buy_x_get_y_matches_brute_force)
{
	static const struct core_rules_tax_rate zero = { "DE", "zero", 0 };
	static struct core_rules_result	r;
	struct core_rules_input		in;
	struct core_rules_line		lines[4];
	struct core_rules_promo		p;
	const char			*xs[4], *ys[4];
	int64_t				uprice[8], best_k, best_sum, k, sum;
	int				ux[8], uy[8], as[8];
	int				kase, i, j, u, nu, nx, ny, done, checked;

	prop_state = 0xb0b0;
	prop_pools();
	checked = 0;
	for (kase = 0; kase < 3000; kase++) {
		memset(&in, 0, sizeof(in));
		memset(lines, 0, sizeof(lines));
		memset(&p, 0, sizeof(p));
		in.lines = lines;
		in.nlines = (int)prop_range(1, 4);
		in.promos = &p;
		in.npromos = 1;
		in.rates = &zero;
		in.nrates = 1;
		in.country = "DE";
		p.id = "bxgy";
		p.action = CORE_RULES_BUY_X_GET_Y;
		p.value = CORE_RULES_RATE_ONE;
		p.buy_qty = prop_range(1, 3);
		p.get_qty = prop_range(1, 2);
		p.max_applications = prop_range(0, 2);
		p.match.skus = xs;
		p.get_match.skus = ys;
		nu = 0;
		for (i = 0; i < in.nlines; i++) {
			lines[i].sku = prop_skus[i];
			lines[i].tax_category = "zero";
			lines[i].unit_price = prop_range(1, 6) * 100;
			lines[i].quantity = prop_range(1, 8 - nu -
			    (in.nlines - i - 1) > 3 ? 3 : 8 - nu -
			    (in.nlines - i - 1));
			if (prop_range(0, 1))
				xs[p.match.nskus++] = lines[i].sku;
			if (prop_range(0, 1))
				ys[p.get_match.nskus++] = lines[i].sku;
			nu += (int)lines[i].quantity;
		}
		/* Units, with the engine's meaning of empty lists. */
		u = 0;
		for (i = 0; i < in.nlines; i++) {
			for (j = 0; j < lines[i].quantity; j++, u++) {
				uprice[u] = lines[i].unit_price;
				ux[u] = prop_matches(&p.match, &lines[i]);
				uy[u] = p.get_match.nskus == 0 ? ux[u] :
				    prop_matches(&p.get_match, &lines[i]);
			}
		}
		/* Every assignment: 0 nothing, 1 X, 2 Y. */
		best_k = 0;
		best_sum = 0;
		memset(as, 0, sizeof(as));
		for (done = 0; !done;) {
			nx = ny = 0;
			sum = 0;
			for (u = 0; u < nu; u++) {
				if ((as[u] == 1 && !ux[u]) ||
				    (as[u] == 2 && !uy[u]))
					break;
				nx += as[u] == 1;
				ny += as[u] == 2;
				sum += as[u] == 2 ? uprice[u] : 0;
			}
			if (u == nu) {
				k = nx / p.buy_qty;
				if (ny / p.get_qty < k)
					k = ny / p.get_qty;
				if (p.max_applications > 0 &&
				    p.max_applications < k)
					k = p.max_applications;
				if (k > 0 && ny == k * p.get_qty &&
				    (k > best_k || (k == best_k &&
				    sum < best_sum))) {
					best_k = k;
					best_sum = sum;
				}
			}
			for (u = 0; u < nu && ++as[u] == 3; u++)
				as[u] = 0;
			done = u == nu;
		}

		cr_assert_eq(core_rules_quote(&r, &in), CORE_RULES_OK);
		if (best_k == 0) {
			cr_assert(!r.promos[0].applied, "case %d", kase);
			continue;
		}
		checked++;
		cr_assert(r.promos[0].applied && r.promos[0].applications ==
		    best_k && r.promos[0].amount == best_sum,
		    "case %d: %lld applications, %lld off; brute force %lld, "
		    "%lld", kase, (long long)r.promos[0].applications,
		    (long long)r.promos[0].amount, (long long)best_k,
		    (long long)best_sum);
	}
	cr_assert(checked > 500, "only %d cases applied", checked);
}

/*
 * Bad input is refused, never priced and never a crash: random valid
 * cases, each broken in one random way, must return that error and name
 * the line or promotion at fault.
 */
Test(core_rules_prop, one_bad_field_is_refused_and_named)
{
	static struct prop_case		c;
	static struct core_rules_result	r;
	static const char *const	many[CORE_RULES_MAX_MATCH + 1];
	struct core_rules_tax_rate	bad_rates[1];
	int				k, i, want, rc, line, promo, kind;

	prop_state = 0xbad;
	prop_pools();
	for (k = 0; k < 2000; k++) {
		do
			prop_gen(&c);
		while (c.in.nlines < 2 || c.in.npromos < 2);
		line = promo = -1;
		i = (int)prop_range(0, c.in.nlines - 1);
		kind = (int)prop_range(0, 11);
		switch (kind) {
		case 0:
			c.lines[i].unit_price = -1;
			want = CORE_RULES_ERR_INPUT;
			line = i;
			break;
		case 1:
			c.lines[i].quantity = prop_range(0, 1) ? 0 :
			    CORE_RULES_MAX_QUANTITY + 1;
			want = CORE_RULES_ERR_INPUT;
			line = i;
			break;
		case 2:
			c.lines[i].sku = c.lines[(i + 1) % c.in.nlines].sku;
			want = CORE_RULES_ERR_DUPLICATE;
			break;
		case 3:
			c.lines[i].tax_category = "luxury";
			want = CORE_RULES_ERR_TAX;
			line = i;
			break;
		case 4:
			c.lines[i].sku = prop_range(0, 1) ? NULL : "";
			want = CORE_RULES_ERR_INPUT;
			line = i;
			break;
		case 5:
			c.in.nlines = CORE_RULES_MAX_LINES + 1;
			want = CORE_RULES_ERR_LIMIT;
			break;
		case 6:
			promo = (int)prop_range(0, c.in.npromos - 1);
			c.promos[promo].action = CORE_RULES_ORDER_PERCENT;
			c.promos[promo].value = CORE_RULES_RATE_ONE + 1;
			want = CORE_RULES_ERR_INPUT;
			break;
		case 7:
			promo = (int)prop_range(0, c.in.npromos - 1);
			c.promos[promo].combines_with = 0x08;
			want = CORE_RULES_ERR_INPUT;
			break;
		case 8:
			promo = (int)prop_range(0, c.in.npromos - 1);
			c.promos[promo].match.skus = many;
			c.promos[promo].match.nskus = CORE_RULES_MAX_MATCH + 1;
			want = CORE_RULES_ERR_LIMIT;
			break;
		case 9:
			promo = (int)prop_range(0, c.in.npromos - 1);
			c.promos[promo].action = CORE_RULES_BUY_X_GET_Y;
			c.promos[promo].value = 0;
			c.promos[promo].buy_qty = 0;
			c.promos[promo].get_qty = 1;
			want = CORE_RULES_ERR_INPUT;
			break;
		case 10:
			bad_rates[0] = prop_rates[0];
			bad_rates[0].rate = CORE_RULES_RATE_ONE + 1;
			c.in.rates = bad_rates;
			c.in.nrates = 1;
			want = CORE_RULES_ERR_INPUT;
			break;
		default:
			c.in.shipping = -1;
			want = CORE_RULES_ERR_INPUT;
			break;
		}
		rc = core_rules_quote(&r, &c.in);
		cr_assert_eq(rc, want, "case %d kind %d: %s, not %s", k, kind,
		    core_rules_error_str(rc), core_rules_error_str(want));
		if (line != -1)
			cr_assert_eq(r.err_line, line, "case %d kind %d", k,
			    kind);
		if (promo != -1)
			cr_assert_eq(r.err_promo, promo, "case %d kind %d", k,
			    kind);
	}
}
