/* metrics.h — counters for /metrics (Prometheus text format 0.0.4).
 *
 * Per route: requests by status and a latency histogram. Global: requests in
 * flight, database reconnects. Other subsystems (the SLA timer) register a
 * collector that appends its own families when the page is rendered.
 * All updates are lock-free atomics; rendering reads them without locking.
 */
#ifndef ALURD_SERVER_METRICS_H
#define ALURD_SERVER_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Sizes the tables: route indexes 0..nroutes-1, plus one for unmatched
 * requests (index nroutes). labels[i] is "METHOD /path/{template}". */
void metrics_init(int nroutes, const char *const *labels);
void metrics_free(void);
void metrics_observe(int route, int status, double seconds);
void metrics_inflight_add(int delta);
long metrics_inflight(void);

typedef void (*metrics_collector)(FILE *out);
/* Adds a collector called on every render (at start-up, from one thread;
 * safe while /metrics is already being served). */
void metrics_add_collector(metrics_collector fn);

/* With restricted, /metrics needs a token of a role allowed ACT_METRICS_READ
 * (admin, auditor). Call before router_init. */
void metrics_restrict(bool restricted);

/* Renders the whole page; the caller frees *text with free(). */
void metrics_render(char **text, size_t *len);

#endif
