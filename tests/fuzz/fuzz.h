/* fuzz.h — what the libFuzzer harnesses share: the entry point's
 * declaration (so -Wmissing-prototypes holds) and a NUL-terminated copy of
 * the input, because every parser under test takes a C string.
 *
 * Each harness is one translation unit linked with -fsanitize=fuzzer against
 * the project's own libraries (tests/fuzz/CMakeLists.txt); the oracles are the
 * sanitizers plus the invariants each harness checks with fuzz_assert, which
 * aborts so libFuzzer records the input as a crash.
 */
#ifndef ALURD_TESTS_FUZZ_H
#define ALURD_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A malloc'd copy of data with a NUL after it (embedded NULs stay: the
 * parser sees the text up to the first one, as it would from a C string).
 * The caller frees it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#define fuzz_assert(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

#endif
