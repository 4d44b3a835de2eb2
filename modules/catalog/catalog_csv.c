/*
 * CSV for product import and export, with no Kore and no SQLite so unit
 * tests reach it directly: an RFC 4180 reader (quoted fields, doubled
 * quotes, CRLF or LF, newlines inside quotes), the field quoting of the
 * writer, and exact decimal prices ("19.99" -> 1999 minor units).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_json.h"
#include "core/core_money.h"
#include "modules/catalog/catalog_int.h"

static int	catalog_csv_push(struct catalog_csv *, char *);
static int	catalog_csv_row_end(struct catalog_csv *, int line, int quoted);
static int	catalog_csv_fail(struct catalog_csv *, int line, const char *);

/* Appends one field; -1 past the limits. */
static int
catalog_csv_push(struct catalog_csv *c, char *field)
{
	char	**nf;
	size_t	  cap;

	if (c->row_fields >= CATALOG_CSV_COLS_MAX)
		return (-1);
	if (c->nfields == c->fieldcap) {
		cap = c->fieldcap ? c->fieldcap * 2 : 256;
		if ((nf = realloc(c->fields, cap * sizeof(*nf))) == NULL)
			return (-1);
		c->fields = nf;
		c->fieldcap = cap;
	}
	c->fields[c->nfields++] = field;
	c->row_fields++;
	return (0);
}

/* Closes the row being read (which started on line); -1 past the limits. */
static int
catalog_csv_row_end(struct catalog_csv *c, int line, int quoted)
{
	struct catalog_csv_row	*nr;
	size_t			 cap;

	/* A blank line is one empty unquoted field: not a row ("" is). */
	if (c->row_fields == 1 && !quoted &&
	    c->fields[c->nfields - 1][0] == '\0') {
		c->nfields--;
		c->row_fields = 0;
		return (0);
	}
	if (c->nrows >= CATALOG_CSV_ROWS_MAX + 1)	/* + the header */
		return (-1);
	if (c->nrows == c->rowcap) {
		cap = c->rowcap ? c->rowcap * 2 : 128;
		if ((nr = realloc(c->rows, cap * sizeof(*nr))) == NULL)
			return (-1);
		c->rows = nr;
		c->rowcap = cap;
	}
	c->rows[c->nrows].line = line;
	c->rows[c->nrows].first = c->nfields - c->row_fields;
	c->rows[c->nrows].n = c->row_fields;
	c->nrows++;
	c->row_fields = 0;
	return (0);
}

static int
catalog_csv_fail(struct catalog_csv *c, int line, const char *msg)
{
	c->errline = line;
	snprintf(c->error, sizeof(c->error), "%s", msg);
	return (-1);
}

/*
 * Decodes in place: a field's text never grows when its quotes go, so the
 * write cursor w never passes the read cursor i, and the NUL that ends a
 * field lands on or before the separator that ended it.
 */
int
catalog_csv_parse(struct catalog_csv *c, const char *data, size_t len)
{
	char	*b, *field, sep;
	size_t	 i, w;
	int	 line, rowline, quoted, toolong;

	memset(c, 0, sizeof(*c));
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (len > CATALOG_CSV_BYTES_MAX)
		return (catalog_csv_fail(c, 0, "the file is larger than "
		    "10 MiB"));
	if (!core_json_utf8_valid(data, len))
		return (catalog_csv_fail(c, 0, "the file is not UTF-8 text "
		    "(or holds a NUL byte)"));
	if ((c->buf = malloc(len + 1)) == NULL)
		return (catalog_csv_fail(c, 0, "out of memory"));
	b = c->buf;
	memcpy(b, data, len);
	b[len] = '\0';
	line = rowline = 1;
	toolong = 0;
	i = w = 0;
	while (i <= len) {
		field = b + w;
		quoted = 0;
		if (i < len && b[i] == '"') {
			quoted = 1;
			for (i++;; i++) {
				if (i >= len)
					return (catalog_csv_fail(c, rowline,
					    "a quoted field is not closed"));
				if (b[i] == '"' && i + 1 < len &&
				    b[i + 1] == '"') {
					b[w++] = '"';
					i++;
				} else if (b[i] == '"') {
					i++;
					break;
				} else {
					if (b[i] == '\n')
						line++;
					b[w++] = b[i];
				}
			}
		}
		/*
		 * The rest of an unquoted field; a quote inside is text, a
		 * CR is allowed only before its LF (RFC 4180).
		 */
		while (!quoted && i < len && b[i] != ',' && b[i] != '\n' &&
		    b[i] != '\r')
			b[w++] = b[i++];
		if (i < len && b[i] != ',' && b[i] != '\n' && b[i] != '\r')
			return (catalog_csv_fail(c, line, "text after the "
			    "closing quote of a field"));
		/* Read the separator before the NUL may land on it. */
		sep = i < len ? b[i] : '\0';
		b[w++] = '\0';
		if (catalog_csv_push(c, field) == -1) {
			toolong = 1;
			break;
		}
		if (i >= len) {
			if (catalog_csv_row_end(c, rowline, quoted) == -1)
				toolong = 1;
			break;
		}
		if (sep == ',') {
			i++;
			continue;
		}
		if (sep == '\r') {
			if (i + 1 >= len || b[i + 1] != '\n')
				return (catalog_csv_fail(c, line, "a carriage "
				    "return without a line feed"));
			i++;
		}
		i++;		/* the line feed */
		if (catalog_csv_row_end(c, rowline, quoted) == -1) {
			toolong = 1;
			break;
		}
		rowline = ++line;
		if (i == len)
			break;
	}
	if (toolong)
		return (catalog_csv_fail(c, rowline, "more than 20000 rows or "
		    "64 columns"));
	if (c->nrows == 0)
		return (catalog_csv_fail(c, 1, "the file has no header row"));
	return (0);
}

void
catalog_csv_cleanup(struct catalog_csv *c)
{
	if (c == NULL)
		return;
	free(c->buf);
	free(c->fields);
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

const char *
catalog_csv_get(const struct catalog_csv *c, size_t row, int col)
{
	if (row >= c->nrows || col < 0 || col >= c->rows[row].n)
		return ("");
	return (c->fields[c->rows[row].first + (size_t)col]);
}

int
catalog_csv_quote_needed(const char *s)
{
	size_t	n;

	n = strlen(s);
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return (1);
	return (strpbrk(s, ",\"\r\n") != NULL);
}

int
catalog_price_parse(const char *s, int64_t *minor)
{
	int64_t	v;
	int	frac, digits;

	if (*s < '0' || *s > '9')
		return (-1);		/* empty, sign, or ".5" */
	v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > CORE_MONEY_MAX / 100)
			return (-1);
	}
	frac = digits = 0;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++digits > 2)
				return (-1);
			frac = frac * 10 + (*s - '0');
		}
		if (digits == 0)
			return (-1);
		if (digits == 1)
			frac *= 10;
	}
	if (*s != '\0')
		return (-1);
	/* The cents too must stay within what money may hold. */
	if (core_money_add(minor, v * 100, frac) == -1)
		return (-1);
	return (0);
}
