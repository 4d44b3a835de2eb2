/*
 * Countries: ISO 3166-1 alpha-2 codes in upper case.
 */
#ifndef CORE_COUNTRY_H
#define CORE_COUNTRY_H

/*
 * 1 if code is an assigned ISO 3166-1 alpha-2 code in upper case ("DE"),
 * or XK (Kosovo, user-assigned but what carriers and tax rules use); else
 * 0.  "ZZ", "de", "D" and NULL are not.
 */
int	core_country_valid(const char *code);

#endif
