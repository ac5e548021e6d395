/* urlform.c — see urlform.h. One pass per part; no allocation. */
#include "core/urlform.h"

#include <string.h>

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t urlform_decode(const char *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = in[i];
		if (ch == '+') {
			out[o++] = ' ';
		} else if (ch == '%') {
			if (i + 2 >= n)
				return (size_t)-1;
			int a = hex(in[i + 1]), b = hex(in[i + 2]);
			if (a < 0 || b < 0 || (a == 0 && b == 0))
				return (size_t)-1;
			out[o++] = (char)(a * 16 + b);
			i += 2;
		} else if (ch == '\0') {
			return (size_t)-1;
		} else {
			out[o++] = ch;
		}
	}
	out[o] = '\0';
	return o;
}

bool urlform_parse(const char *body, size_t len, char *buf, struct urlform_pair *pairs, size_t max, size_t *n,
		   const char **bad)
{
	size_t at = 0; /* next free byte of buf */
	*n = 0;
	for (size_t i = 0; i < len;) {
		size_t part = i;
		while (i < len && body[i] != '&')
			i++;
		size_t plen = i - part;
		if (i < len)
			i++; /* the '&' */
		if (plen == 0)
			continue;
		const char *eq = memchr(body + part, '=', plen);
		if (!eq)
			return *bad = "a parameter without '='", false;
		size_t klen = (size_t)(eq - (body + part)), vlen = plen - klen - 1;
		if (klen == 0)
			return *bad = "a parameter without a name", false;
		if (*n == max)
			return *bad = "too many parameters", false;
		char *key = buf + at;
		size_t k = urlform_decode(body + part, klen, key);
		if (k == (size_t)-1)
			return *bad = "a malformed %-escape", false;
		at += k + 1;
		char *value = buf + at;
		size_t v = urlform_decode(eq + 1, vlen, value);
		if (v == (size_t)-1)
			return *bad = "a malformed %-escape", false;
		at += v + 1;
		for (size_t p = 0; p < *n; p++)
			if (strcmp(pairs[p].key, key) == 0)
				return *bad = "a parameter named twice", false;
		pairs[*n].key = key;
		pairs[*n].value = value;
		(*n)++;
	}
	return true;
}
