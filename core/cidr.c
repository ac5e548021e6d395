/* cidr.c — see cidr.h. Addresses are compared as bytes in network order;
 * IPv4-mapped IPv6 addresses are folded to IPv4 first, so "::ffff:a.b.c.d"
 * and "a.b.c.d" are the same client for throttling and for trust. */
#include "core/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses one numeric address into family/bytes (mapped IPv6 folded to 4). */
static bool parse_addr(const char *s, int *family, unsigned char out[16])
{
	memset(out, 0, 16);
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		*family = 4;
		memcpy(out, &a4, 4);
		return true;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(a6.s6_addr, mapped, 12) == 0) {
			*family = 4;
			memcpy(out, a6.s6_addr + 12, 4);
			return true;
		}
		*family = 6;
		memcpy(out, a6.s6_addr, 16);
		return true;
	}
	return false;
}

/* Copies [s, s+n) trimmed of spaces and tabs into buf (NUL-terminated);
 * false when it does not fit. */
static bool trimmed(const char *s, size_t n, char *buf, size_t bufn)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= bufn)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

static bool parse_one(const char *entry, struct cidr *c)
{
	char addr[64];
	const char *slash = strchr(entry, '/');
	size_t alen = slash ? (size_t)(slash - entry) : strlen(entry);
	if (!trimmed(entry, alen, addr, sizeof addr) || !parse_addr(addr, &c->family, c->addr))
		return false;
	int max = c->family == 4 ? 32 : 128;
	c->prefix = max;
	if (slash) {
		const char *p = slash + 1;
		if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 3)
			return false;
		c->prefix = atoi(p);
		if (c->prefix > max)
			return false;
	}
	return true;
}

bool cidr_list_parse(const char *text, struct cidr_list *out, char *msg, size_t msglen)
{
	out->n = 0;
	const char *s = text ? text : "";
	while (*s) {
		size_t n = strcspn(s, ",");
		char entry[96];
		if (!trimmed(s, n, entry, sizeof entry)) {
			snprintf(msg, msglen, "an entry is too long");
			return false;
		}
		if (entry[0]) {
			if (out->n == CIDR_MAX) {
				snprintf(msg, msglen, "at most %d entries", CIDR_MAX);
				return false;
			}
			if (!parse_one(entry, &out->items[out->n])) {
				snprintf(msg, msglen, "'%s' is not an IP address or CIDR block (e.g. 10.0.0.0/8, ::1)", entry);
				return false;
			}
			out->n++;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return true;
}

static bool in_range(const struct cidr *c, int family, const unsigned char a[16])
{
	if (c->family != family)
		return false;
	int full = c->prefix / 8, rest = c->prefix % 8;
	if (memcmp(c->addr, a, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (c->addr[full] & mask) == (a[full] & mask);
}

bool cidr_list_contains(const struct cidr_list *l, const char *address)
{
	int family;
	unsigned char a[16];
	if (!l || !address || !parse_addr(address, &family, a))
		return false;
	for (int i = 0; i < l->n; i++)
		if (in_range(&l->items[i], family, a))
			return true;
	return false;
}

void cidr_client_address(const struct cidr_list *trusted, const char *peer, const char *xff, char *out,
			 size_t outlen)
{
	snprintf(out, outlen, "%s", peer ? peer : "");
	if (!xff || !cidr_list_contains(trusted, peer))
		return;
	/* walk the chain from the right */
	size_t end = strlen(xff);
	while (end > 0) {
		size_t start = end;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		char entry[64];
		int family;
		unsigned char a[16];
		if (!trimmed(xff + start, end - start, entry, sizeof entry) || !parse_addr(entry, &family, a))
			return; /* malformed: the hop that sent it is the client we know */
		snprintf(out, outlen, "%s", entry);
		if (!cidr_list_contains(trusted, entry))
			return;
		end = start ? start - 1 : 0;
	}
}
