/* console.h — the staff console's static files, served at `/`.
 *
 * The files under console/app/ are compiled into the binary
 * (cmake/embed.cmake, build/generated/console.c), so `alurd serve` needs
 * nothing beside it; ALURD_CONSOLE_DIR serves a folder instead (development:
 * edits show on reload), ALURD_CONSOLE=false serves nothing (`/` is 404).
 *
 * URLs: `/assets/<fingerprint>/<file>` for the files (the fingerprint is a
 * hash of every embedded file, so a new build is a new URL and the old one
 * may be cached for a year), and `/` plus the console's own client-side
 * routes (console_claims) for index.html, which is never cached without
 * revalidation. Everything else stays the API's: `/api/...`, `/healthz`, and
 * unknown paths keep their 404.
 */
#ifndef ALURD_SERVER_CONSOLE_H
#define ALURD_SERVER_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "api/api.h"
#include "server/config.h"

/* One embedded file: its path under console/app/ and its bytes
 * (NUL-terminated; the NUL is not counted in len). */
struct console_asset {
	const char *name;
	const char *data;
	size_t len;
};

extern const struct console_asset console_embedded[];
extern const size_t console_embedded_count;

/* Prepares what is served (content types, ETags, gzip copies, the
 * fingerprint) from the embedded files, or notes the folder of
 * ALURD_CONSOLE_DIR (which must exist and hold index.html). Returns false
 * with e filled when the folder is unusable. With ALURD_CONSOLE=false it
 * does nothing and console_routes stays out of the router. */
bool console_init(const struct config *cfg, struct err *e);
/* Frees what console_init made. Idempotent. */
void console_cleanup(void);
/* Whether the console is served (ALURD_CONSOLE). */
bool console_enabled(void);
/* True when path is the console's: `/`, `/assets/...` or one of its
 * client-side routes (`/antrean`, `/permohonan/...`, ...). The router
 * offers the console route (the wildcard path) for these paths only. */
bool console_claims(const char *path);
/* The console's route table (one GET row, the wildcard path). */
extern const struct route console_routes[];

#endif
