/* delivery.h — the rules of webhook delivery, as pure functions: the retry
 * schedule with jitter and Retry-After, what an HTTP answer means, which
 * URLs a subscription may name, and which addresses a delivery may reach.
 *
 * The deliverer (server/deliver.c) does the I/O and asks these; tests can
 * check every rule without a network. No clock, no randomness of its own:
 * both are passed in.
 */
#ifndef ALURD_CORE_DELIVERY_H
#define ALURD_CORE_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>

/* The delays after the first (immediate) attempt, in seconds: 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (the Standard Webhooks
 * schedule). *n gets the count. Static. */
const double *dl_default_schedule(size_t *n);

/* What one attempt's answer means. */
enum dl_verdict {
	DL_DELIVERED, /* 2xx */
	DL_RETRY,     /* any other answer, a timeout, a connection error */
	DL_GONE,      /* 410: the receiver wants no more; disable the subscription */
};
/* http_status 0 means no answer (timeout, refused, reset). */
enum dl_verdict dl_verdict_of(int http_status);

/* Seconds until attempt `attempt` + 1, after attempt number `attempt`
 * (1-based) failed: schedule[attempt - 1] scaled by a jitter factor in
 * [0.9, 1.1) drawn from u (uniform in [0, 1)); a Retry-After of the answer
 * (seconds, > 0, only for 429 and 503) is honoured when longer, up to a
 * day. Returns a negative number when the schedule is exhausted. */
double dl_retry_delay(const double *schedule, size_t n, int attempt, double u, int http_status, long retry_after);

/* Parses a Retry-After value: delta-seconds only (an HTTP date answers 0,
 * which means "not given"). */
long dl_retry_after_parse(const char *value);

/* True when url may be a subscription's target: https:// (or http:// with
 * allow_http), a host, at most 2000 characters, no spaces, control
 * characters or user-info ('@' before the host). */
bool dl_url_allowed(const char *url, bool allow_http);

/* True when the address (4 bytes of IPv4 or 16 of IPv6, network order) is
 * loopback, private, link-local, carrier-grade NAT, unspecified, multicast
 * or an IPv4-mapped form of one of those: refused unless
 * ALURD_WEBHOOK_ALLOW_PRIVATE. */
bool dl_address_private(const unsigned char *addr, size_t len);

#endif
