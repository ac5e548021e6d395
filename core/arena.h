/* arena.h — per-request memory.
 *
 * A request owns one arena; everything a handler allocates for the request
 * (copied headers, path parameters, formatted strings) comes from it and is
 * released in one call when the request completes. Handlers never free.
 * Allocation failure aborts (the daemon cannot answer sensibly without memory).
 */
#ifndef ALURD_CORE_ARENA_H
#define ALURD_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

/* Prepares an empty arena; nothing is allocated until first use. */
void arena_init(struct arena *a);
/* Frees every block; the arena is empty and reusable after. NULL-safe. */
void arena_cleanup(struct arena *a);
/* Returns n zeroed bytes aligned for any type, owned by the arena. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies s (NULL gives NULL) / the first n bytes of s plus a NUL. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* printf into arena memory. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
