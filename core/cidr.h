/* cidr.h — address ranges for ALURD_TRUSTED_PROXIES: a list of IPv4/IPv6
 * addresses or CIDR blocks ("10.0.0.0/8, ::1, 192.0.2.7"), and the one rule
 * that picks the real client from a peer address and its X-Forwarded-For
 * chain. Pure: numeric addresses only (inet_pton), no name resolution.
 */
#ifndef ALURD_CORE_CIDR_H
#define ALURD_CORE_CIDR_H

#include <stdbool.h>
#include <stddef.h>

#define CIDR_MAX 32

struct cidr {
	int family;              /* 4 or 6 */
	unsigned char addr[16];  /* network order; IPv4 in the first 4 bytes */
	int prefix;              /* 0..32 or 0..128 */
};

struct cidr_list {
	int n;
	struct cidr items[CIDR_MAX];
};

/* Parses a comma-separated list (spaces allowed; empty = no entries). On a
 * malformed entry returns false and names it in msg. */
bool cidr_list_parse(const char *text, struct cidr_list *out, char *msg, size_t msglen);

/* True when the numeric address text lies in one of the ranges. An IPv4
 * address written as IPv4-mapped IPv6 ("::ffff:10.0.0.1") matches IPv4 ranges. */
bool cidr_list_contains(const struct cidr_list *l, const char *address);

/* The client address of a request that reached us from peer, carrying the
 * X-Forwarded-For values xff (all headers joined with ",", or NULL). When
 * peer is not trusted, it is the client and xff is ignored. Otherwise the
 * chain is read from the right: trusted hops are skipped and the first
 * untrusted address is the client; a malformed entry stops the walk at the
 * hop that sent it. Writes the address (numeric text) into out, which must
 * not overlap peer or xff. */
void cidr_client_address(const struct cidr_list *trusted, const char *peer, const char *xff, char *out,
			 size_t outlen);

#endif
