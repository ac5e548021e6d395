/* numfmt.h — official numbers from a configurable format.
 *
 * A format is literal text with placeholders: {seq} (the yearly sequence),
 * {seq:N} (zero-padded to N digits, 1..9), {year}, {month} (two digits) and
 * {month_roman} (I..XII, as Indonesian letter numbers use). Example:
 * "050/{seq:3}/BA/IAI/D.KOMINFOS/{year}" -> "050/007/BA/IAI/D.KOMINFOS/2026".
 */
#ifndef ALURD_CORE_NUMFMT_H
#define ALURD_CORE_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* True when fmt is well-formed, contains {seq} exactly once and {year}
 * (so numbers never repeat across years), and is at most 120 bytes. */
bool numfmt_check(const char *fmt, struct err *e);

/* Renders fmt into out (n bytes); false when it does not fit. */
bool numfmt_render(const char *fmt, int seq, int year, int month, char *out, size_t n);

#endif
