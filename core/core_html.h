/*
 * HTML from staff (product descriptions, later CMS blocks) is sanitized on
 * input against a small allow-list, so nothing stored can run a script in
 * a shopper's browser.
 */
#ifndef CORE_HTML_H
#define CORE_HTML_H

#include <stddef.h>

/*
 * Returns a malloc'd copy of html keeping only p br strong em b i u ul ol
 * li h2 h3 h4 blockquote and a (with an http, https or relative href and
 * nothing else); every other tag is dropped with its attributes (its text
 * stays), script and style elements go with their content, comments go.
 * Text is re-escaped.  NULL on allocation failure.  Free with free().
 */
char	*core_html_sanitize(const char *html);

/* The text of html without any markup, for the search index.  Free(). */
char	*core_html_text(const char *html);

#endif
