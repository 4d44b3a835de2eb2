/*
 * Bank transfer: the customer is shown the shop's account (holder, IBAN,
 * BIC from payment_settings) with the order number as the transfer's
 * reference; staff record what arrives, partial amounts allowed, and each
 * amount becomes a `paid` event of the order.  There is no authorization:
 * money is captured when staff see it on the account.
 */
#include "modules/checkout/checkout_pay.h"

const struct checkout_pay_provider checkout_pay_bank = {
	.name = "bank_transfer",
	.title = "Bank transfer",
	.ops = {
		[CHECKOUT_PAY_CREATE] = checkout_pay_std_create,
		[CHECKOUT_PAY_AUTHORIZE] = checkout_pay_unsupported,
		[CHECKOUT_PAY_CAPTURE] = checkout_pay_std_capture,
		[CHECKOUT_PAY_REFUND] = checkout_pay_std_refund,
		[CHECKOUT_PAY_CANCEL] = checkout_pay_std_cancel,
	},
	.webhook = NULL,
};
