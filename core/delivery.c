/* delivery.c — see delivery.h. */
#include "core/delivery.h"

#include <string.h>

static const double schedule[] = {5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400};

const double *dl_default_schedule(size_t *n)
{
	*n = sizeof schedule / sizeof schedule[0];
	return schedule;
}

enum dl_verdict dl_verdict_of(int http_status)
{
	if (http_status >= 200 && http_status < 300)
		return DL_DELIVERED;
	if (http_status == 410)
		return DL_GONE;
	return DL_RETRY;
}

double dl_retry_delay(const double *sched, size_t n, int attempt, double u, int http_status, long retry_after)
{
	if (attempt < 1 || (size_t)attempt > n)
		return -1;
	if (u < 0 || u >= 1)
		u = 0.5;
	double d = sched[attempt - 1] * (0.9 + 0.2 * u);
	if ((http_status == 429 || http_status == 503) && retry_after > 0) {
		double ra = retry_after > 86400 ? 86400 : (double)retry_after;
		if (ra > d)
			d = ra;
	}
	return d;
}

long dl_retry_after_parse(const char *v)
{
	if (!v)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	long n = 0;
	int digits = 0;
	for (; *v >= '0' && *v <= '9'; v++, digits++) {
		if (n > 10000000)
			return 86400 * 7;
		n = n * 10 + (*v - '0');
	}
	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	return digits && !*v ? n : 0;
}

bool dl_url_allowed(const char *url, bool allow_http)
{
	size_t len = url ? strlen(url) : 0;
	if (len == 0 || len > 2000)
		return false;
	const char *rest;
	if (strncmp(url, "https://", 8) == 0)
		rest = url + 8;
	else if (allow_http && strncmp(url, "http://", 7) == 0)
		rest = url + 7;
	else
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	size_t host = strcspn(rest, "/?#");
	if (host == 0 || memchr(rest, '@', host))
		return false;
	return true;
}

static bool v4_private(const unsigned char *a)
{
	return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64) || a[0] >= 224;
}

bool dl_address_private(const unsigned char *a, size_t len)
{
	if (len == 4)
		return v4_private(a);
	if (len != 16)
		return true;
	static const unsigned char zero[16], mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a, mapped, 12) == 0)
		return v4_private(a + 12);
	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1)) /* :: and ::1 */
		return true;
	return (a[0] & 0xfe) == 0xfc /* fc00::/7 */ || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) /* fe80::/10 */ ||
	       a[0] == 0xff /* multicast */;
}
