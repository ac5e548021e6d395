/* validate.c — see validate.h. UTF-8 decoding follows RFC 3629 strictly. */
#include "core/validate.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bool val_is_uuid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return false;
		}
	}
	return true;
}

long val_utf8_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	long n = 0;
	while (*s) {
		unsigned c = *s;
		int extra;
		unsigned cp;
		if (c < 0x80) {
			extra = 0;
			cp = c;
		} else if ((c & 0xE0) == 0xC0) {
			extra = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			extra = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			extra = 3;
			cp = c & 0x07;
		} else {
			return -1;
		}
		s++;
		for (int i = 0; i < extra; i++, s++) {
			if ((*s & 0xC0) != 0x80)
				return -1;
			cp = (cp << 6) | (*s & 0x3F);
		}
		static const unsigned min[] = {0, 0x80, 0x800, 0x10000};
		if (cp < min[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		n++;
	}
	return n;
}

bool val_text(struct err *e, const char *field, const char *s, long max, bool may_be_empty, bool multiline)
{
	long n = val_utf8_len(s);
	if (n < 0)
		return err_field(e, field, "invalid_utf8", "Must be valid UTF-8.");
	if (n == 0 && !may_be_empty)
		return err_field(e, field, "required", "Must not be empty.");
	if (n > max)
		return err_field(e, field, "too_long", "At most %ld characters.", max);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t' || *p == '\r'))) || *p == 0x7F)
			return err_field(e, field, "control_character", "Must not contain control characters.");
	return true;
}

bool val_username(struct err *e, const char *field, const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 64 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return err_field(e, field, "invalid", "3 to 64 of a-z, 0-9, '.', '_' and '-'.");
	return true;
}

bool val_nip(struct err *e, const char *field, const char *s)
{
	if (strlen(s) != 18 || strspn(s, "0123456789") != 18)
		return err_field(e, field, "invalid", "A NIP is exactly 18 digits.");
	return true;
}

bool val_password(struct err *e, const char *field, const char *pw, const char *username)
{
	size_t bytes = strlen(pw);
	if (bytes > VAL_PASSWORD_MAX_BYTES)
		return err_field(e, field, "too_long", "At most %d bytes.", VAL_PASSWORD_MAX_BYTES);
	long n = val_utf8_len(pw);
	if (n < 0)
		return err_field(e, field, "invalid_utf8", "Must be valid UTF-8.");
	if (n < VAL_PASSWORD_MIN)
		return err_field(e, field, "too_short", "At least %d characters.", VAL_PASSWORD_MIN);
	if (username && strcasecmp(pw, username) == 0)
		return err_field(e, field, "equals_username", "Must not be the username.");
	/* one character (of however many bytes) repeated throughout */
	unsigned char lead = (unsigned char)pw[0];
	size_t ch = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
	size_t at = ch;
	while (at + ch <= bytes && memcmp(pw + at, pw, ch) == 0)
		at += ch;
	if (at == bytes)
		return err_field(e, field, "too_simple", "Must not be one repeated character.");
	return true;
}

bool val_date(struct err *e, const char *field, const char *s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return err_field(e, field, "invalid", "A date is YYYY-MM-DD.");
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return err_field(e, field, "invalid", "A date is YYYY-MM-DD.");
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
		return err_field(e, field, "invalid", "Not a date that exists.");
	return true;
}

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool val_timestamp(struct err *e, const char *field, const char *s)
{
	const char *msg = "An RFC 3339 timestamp with offset, e.g. 2026-11-28T09:30:00+08:00.";
	size_t n = strlen(s);
	if (n < 20 || (s[10] != 'T' && s[10] != 't'))
		return err_field(e, field, "invalid", "%s", msg);
	char date[11];
	memcpy(date, s, 10);
	date[10] = '\0';
	struct err scratch;
	err_clear(&scratch);
	if (!val_date(&scratch, field, date))
		return err_field(e, field, "invalid", "%s", msg);
	const char *t = s + 11;
	if (!digits(t, 2) || t[2] != ':' || !digits(t + 3, 2) || t[5] != ':' || !digits(t + 6, 2))
		return err_field(e, field, "invalid", "%s", msg);
	int hh = (t[0] - '0') * 10 + t[1] - '0', mm = (t[3] - '0') * 10 + t[4] - '0', ss = (t[6] - '0') * 10 + t[7] - '0';
	if (hh > 23 || mm > 59 || ss > 59)
		return err_field(e, field, "invalid", "%s", msg);
	const char *z = t + 8;
	if (*z == '.') {
		z++;
		size_t f = strspn(z, "0123456789");
		if (f == 0 || f > 9)
			return err_field(e, field, "invalid", "%s", msg);
		z += f;
	}
	if ((z[0] == 'Z' || z[0] == 'z') && z[1] == '\0')
		return true;
	if ((z[0] == '+' || z[0] == '-') && digits(z + 1, 2) && z[3] == ':' && digits(z + 4, 2) && z[6] == '\0' &&
	    (z[1] - '0') * 10 + z[2] - '0' <= 23 && (z[4] - '0') * 10 + z[5] - '0' <= 59)
		return true;
	return err_field(e, field, "invalid", "%s", msg);
}
