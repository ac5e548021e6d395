/* numfmt.c — see numfmt.h. */
#include "core/numfmt.h"

#include <stdio.h>
#include <string.h>

static const char *const roman[] = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"};

/* Parses the placeholder starting at s ('{'); returns its length or 0. */
static size_t placeholder(const char *s, int *kind, int *width)
{
	static const char *const names[] = {"{seq}", "{year}", "{month}", "{month_roman}"};
	for (int i = 0; i < 4; i++)
		if (strncmp(s, names[i], strlen(names[i])) == 0) {
			*kind = i;
			*width = 0;
			return strlen(names[i]);
		}
	if (strncmp(s, "{seq:", 5) == 0 && s[5] >= '1' && s[5] <= '9' && s[6] == '}') {
		*kind = 0;
		*width = s[5] - '0';
		return 7;
	}
	return 0;
}

bool numfmt_check(const char *fmt, struct err *e)
{
	int seqs = 0, years = 0;
	if (strlen(fmt) > 120)
		return err_set(e, ERR_INVALID, "config.number_format", "A number format is at most 120 bytes.");
	for (const char *s = fmt; *s;) {
		if (*s == '}')
			return err_set(e, ERR_INVALID, "config.number_format", "Unmatched '}' in '%s'.", fmt);
		if (*s != '{') {
			s++;
			continue;
		}
		int kind, width;
		size_t n = placeholder(s, &kind, &width);
		if (!n)
			return err_set(e, ERR_INVALID, "config.number_format", "Unknown placeholder in '%s'.", fmt);
		seqs += kind == 0;
		years += kind == 1;
		s += n;
	}
	if (seqs != 1 || years < 1)
		return err_set(e, ERR_INVALID, "config.number_format", "'%s' needs exactly one {seq} and a {year}.", fmt);
	return true;
}

bool numfmt_render(const char *fmt, int seq, int year, int month, char *out, size_t n)
{
	size_t used = 0;
	if (n == 0)
		return false;
	for (const char *s = fmt; *s;) {
		char piece[32];
		size_t len;
		int kind, width;
		size_t ph = *s == '{' ? placeholder(s, &kind, &width) : 0;
		if (ph) {
			if (kind == 0)
				snprintf(piece, sizeof piece, "%0*d", width, seq);
			else if (kind == 1)
				snprintf(piece, sizeof piece, "%d", year);
			else if (kind == 2)
				snprintf(piece, sizeof piece, "%02d", month);
			else
				snprintf(piece, sizeof piece, "%s", month >= 1 && month <= 12 ? roman[month - 1] : "?");
			len = strlen(piece);
			s += ph;
		} else {
			piece[0] = *s++;
			len = 1;
		}
		if (used + len >= n)
			return false;
		memcpy(out + used, piece, len);
		used += len;
	}
	out[used] = '\0';
	return true;
}
