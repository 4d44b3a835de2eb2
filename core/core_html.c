/*
 * A small allow-list HTML sanitizer (see core_html.h).  It is a tokenizer,
 * not a parser: tags are read one by one and either re-emitted from what
 * we understood (never copied) or dropped.  Entities in text are kept only
 * when they are well formed; any other '&', '<' or '>' is escaped.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core_html.h"

struct html_buf {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

static const char *html_allowed[] = {
	"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3",
	"h4", "blockquote", "a", NULL
};

static void
html_put(struct html_buf *b, const char *s, size_t n)
{
	char	*np;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((np = realloc(b->p, b->cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
html_puts(struct html_buf *b, const char *s)
{
	html_put(b, s, strlen(s));
}

/* Escapes one character of text or attribute value. */
static void
html_esc(struct html_buf *b, char c)
{
	switch (c) {
	case '<':
		html_puts(b, "&lt;");
		break;
	case '>':
		html_puts(b, "&gt;");
		break;
	case '&':
		html_puts(b, "&amp;");
		break;
	case '"':
		html_puts(b, "&quot;");
		break;
	default:
		html_put(b, &c, 1);
	}
}

/* Length of a well-formed entity at s ("&amp;", "&#39;", "&#x27;"), or 0. */
static size_t
html_entity(const char *s)
{
	size_t	i;

	i = 1;
	if (s[i] == '#') {
		i++;
		if (s[i] == 'x' || s[i] == 'X') {
			i++;
			while (i < 10 && isxdigit((unsigned char)s[i]))
				i++;
		} else {
			while (i < 10 && isdigit((unsigned char)s[i]))
				i++;
		}
	} else {
		while (i < 12 && isalnum((unsigned char)s[i]))
			i++;
	}
	if (i > 2 && s[i] == ';')
		return (i + 1);
	return (0);
}

static int
html_tag_allowed(const char *name)
{
	int	i;

	for (i = 0; html_allowed[i] != NULL; i++)
		if (strcasecmp(html_allowed[i], name) == 0)
			return (1);
	return (0);
}

/* href values we keep: http(s):// or a relative path, no scheme tricks. */
static int
html_href_ok(const char *v)
{
	if (strncasecmp(v, "http://", 7) == 0 ||
	    strncasecmp(v, "https://", 8) == 0)
		return (1);
	if (v[0] == '/' && v[1] != '/')
		return (1);
	return (0);
}

/*
 * Reads the tag starting at s (s[0] == '<') and appends its safe form.
 * Returns the number of bytes consumed.  *skip_until is set to "script" or
 * "style" when their content must be dropped.
 */
static size_t
html_tag(struct html_buf *b, const char *s, const char **skip_until)
{
	char		 name[16], attr[16], val[2048];
	const char	*p, *end;
	size_t		 n, k, vlen;
	int		 closing;
	char		 q;

	if ((end = strchr(s, '>')) == NULL)
		return (strlen(s));		/* unterminated: drop the rest */
	p = s + 1;
	closing = *p == '/';
	if (closing)
		p++;
	for (n = 0; isalnum((unsigned char)*p) && n < sizeof(name) - 1; p++)
		name[n++] = (char)tolower((unsigned char)*p);
	name[n] = '\0';
	if (n == 0)
		return (end - s + 1);
	if (!closing && (strcmp(name, "script") == 0 ||
	    strcmp(name, "style") == 0)) {
		*skip_until = strcmp(name, "script") == 0 ? "</script" :
		    "</style";
		return (end - s + 1);
	}
	if (!html_tag_allowed(name))
		return (end - s + 1);
	html_puts(b, closing ? "</" : "<");
	html_puts(b, name);
	if (!closing && strcmp(name, "a") == 0) {
		/* Keep only href, and only a safe one. */
		while (p < end) {
			while (p < end && isspace((unsigned char)*p))
				p++;
			for (n = 0; p < end && (isalnum((unsigned char)*p) ||
			    *p == '-') && n < sizeof(attr) - 1; p++)
				attr[n++] = (char)tolower((unsigned char)*p);
			attr[n] = '\0';
			if (n == 0) {
				p++;
				continue;
			}
			vlen = 0;
			if (*p == '=') {
				p++;
				q = (*p == '"' || *p == '\'') ? *p++ : 0;
				while (p < end && (q ? *p != q :
				    !isspace((unsigned char)*p))) {
					if (vlen < sizeof(val) - 1)
						val[vlen++] = *p;
					p++;
				}
				if (q && p < end)
					p++;
			}
			val[vlen] = '\0';
			if (strcmp(attr, "href") == 0 && html_href_ok(val)) {
				html_puts(b, " href=\"");
				/* Keep entities: sanitizing twice changes nothing. */
				for (n = 0; n < vlen; n++) {
					if (val[n] == '&' &&
					    (k = html_entity(val + n)) > 0) {
						html_put(b, val + n, k);
						n += k - 1;
					} else {
						html_esc(b, val[n]);
					}
				}
				html_puts(b, "\" rel=\"nofollow noopener\"");
				break;
			}
		}
	}
	html_puts(b, ">");
	return (end - s + 1);
}

char *
core_html_sanitize(const char *html)
{
	struct html_buf	 b;
	const char	*s, *skip, *e;
	size_t		 n;

	memset(&b, 0, sizeof(b));
	html_put(&b, "", 0);
	skip = NULL;
	for (s = html; *s != '\0';) {
		if (skip != NULL) {
			if ((e = strcasestr(s, skip)) == NULL)
				break;
			s = e;
			skip = NULL;
			if ((e = strchr(s, '>')) == NULL)
				break;
			s = e + 1;
			continue;
		}
		if (strncmp(s, "<!--", 4) == 0) {
			if ((e = strstr(s + 4, "-->")) == NULL)
				break;
			s = e + 3;
		} else if (*s == '<' && (isalpha((unsigned char)s[1]) ||
		    s[1] == '/' || s[1] == '!' || s[1] == '?')) {
			s += html_tag(&b, s, &skip);
		} else if (*s == '&' && (n = html_entity(s)) > 0) {
			html_put(&b, s, n);
			s += n;
		} else {
			html_esc(&b, *s);
			s++;
		}
	}
	if (b.oom) {
		free(b.p);
		return (NULL);
	}
	return (b.p);
}

/* Appends the UTF-8 encoding of code point cp (0 < cp <= 0x10ffff). */
static void
html_put_utf8(struct html_buf *b, unsigned long cp)
{
	char	u[4];

	if (cp < 0x80) {
		u[0] = (char)cp;
		html_put(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		html_put(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		html_put(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		html_put(b, u, 4);
	}
}

/*
 * Decodes the entity of n bytes at s for the plain text: numeric ones and
 * the common named ones; any other named entity becomes nothing, so its
 * name never reaches the search index as a word.
 */
static void
html_text_entity(struct html_buf *b, const char *s, size_t n)
{
	static const struct { const char *name; unsigned long cp; } named[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' }, { "nbsp", ' ' }, { "eacute", 0xe9 },
		{ "egrave", 0xe8 }, { "aacute", 0xe1 }, { "agrave", 0xe0 },
		{ "uuml", 0xfc }, { "ouml", 0xf6 }, { "auml", 0xe4 },
		{ "szlig", 0xdf }, { "ccedil", 0xe7 }, { "ntilde", 0xf1 },
	};
	unsigned long	cp;
	size_t		i;

	if (s[1] == '#') {
		cp = (s[2] == 'x' || s[2] == 'X') ? strtoul(s + 3, NULL, 16) :
		    strtoul(s + 2, NULL, 10);
		if (cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff))
			html_put_utf8(b, cp);
		return;
	}
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (strlen(named[i].name) == n - 2 &&
		    strncmp(s + 1, named[i].name, n - 2) == 0) {
			html_put_utf8(b, named[i].cp);
			return;
		}
	}
}

char *
core_html_text(const char *html)
{
	struct html_buf	 b;
	const char	*s, *e;
	size_t		 n;

	memset(&b, 0, sizeof(b));
	html_put(&b, "", 0);
	for (s = html; *s != '\0';) {
		if (*s == '<') {
			if ((e = strchr(s, '>')) == NULL)
				break;
			html_put(&b, " ", 1);
			s = e + 1;
		} else if (*s == '&' && (n = html_entity(s)) > 0) {
			html_text_entity(&b, s, n);
			s += n;
		} else {
			html_put(&b, s, 1);
			s++;
		}
	}
	if (b.oom) {
		free(b.p);
		return (NULL);
	}
	return (b.p);
}
