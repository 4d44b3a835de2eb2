/*
 * Cash on delivery: nothing is authorized up front; the order may be
 * prepared unpaid (the order guard allows `prepared` for `cod`), and
 * staff capture the cash the carrier collected on delivery, partial
 * amounts allowed, each one a `paid` event of the order.
 */
#include "modules/checkout/checkout_pay.h"

const struct checkout_pay_provider checkout_pay_cod = {
	.name = "cod",
	.title = "Cash on delivery",
	.ops = {
		[CHECKOUT_PAY_CREATE] = checkout_pay_std_create,
		[CHECKOUT_PAY_AUTHORIZE] = checkout_pay_unsupported,
		[CHECKOUT_PAY_CAPTURE] = checkout_pay_std_capture,
		[CHECKOUT_PAY_REFUND] = checkout_pay_std_refund,
		[CHECKOUT_PAY_CANCEL] = checkout_pay_std_cancel,
	},
	.webhook = NULL,
};
