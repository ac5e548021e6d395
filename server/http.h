/* http.h — the HTTP server: libmicrohttpd, the dispatcher and the workers.
 *
 * Threading: libmicrohttpd runs its own event thread(s) (epoll) that parse
 * requests and apply the generic checks (framing, route, size, media type,
 * authentication). Handlers that need the database run on a fixed pool of
 * worker threads, each with its own PostgreSQL connection; the connection is
 * suspended meanwhile, so a handler waiting on the database never stalls the
 * other clients. Handlers without database work (/healthz) answer inline.
 */
#ifndef ALURD_SERVER_HTTP_H
#define ALURD_SERVER_HTTP_H

#include <stdbool.h>

#include "core/err.h"
#include "server/config.h"

/* Starts listening and the workers. cfg must outlive the server. */
bool http_start(const struct config *cfg, struct err *e);
/* The bound TCP port (useful with ALURD_LISTEN=host:0). */
int http_port(void);
/* Stops accepting new connections; in-flight requests go on. */
void http_quiesce(void);
/* Waits up to timeout_s for in-flight requests; true when all finished. */
bool http_drain(int timeout_s);
/* Stops workers and the daemon, closing every connection. */
void http_stop(void);

#endif
