/*
 * init.js: starts Swagger UI on /api/docs with mercato's OpenAPI document.
 * Kept in its own file because the page's CSP allows no inline script.  No
 * standalone preset (no top bar to load other URLs) and no external
 * validator badge, so the page fetches nothing from outside the server.
 */
/* global SwaggerUIBundle */
window.ui = SwaggerUIBundle({
	url: '/api/openapi.json',
	dom_id: '#swagger-ui',
	deepLinking: true,
	validatorUrl: null,
});
