/* embedded.h — files compiled into the binary by cmake/embed.cmake: the
 * numbered migrations (sorted by name) and the API contract. */
#ifndef ALURD_DB_EMBEDDED_H
#define ALURD_DB_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const char *data; /* NUL-terminated */
	size_t len;
};

extern const struct embedded_file embedded_migrations[];
extern const size_t embedded_migrations_count;
extern const struct embedded_file embedded_openapi;

#endif
