/*
 * pages/pricing/promotions.js: promotions and coupons (placeholder until
 * the promotions API lands).
 */
import { html } from '../../vendor/preact-htm.js';

export function Promotions() {
	return html`<h1>Promotions</h1><p class="muted">Coming with the promotions API.</p>`;
}

export function PromotionPage() {
	return Promotions();
}
