/* entry.h — the canonical form of one audit entry, the bytes a leaf hashes.
 *
 * Defined once, here (and in README "The audit log"): a JSON object of the
 * audit row's columns plus its log index, with keys sorted bytewise, no
 * white space between tokens, UTF-8 as is (only '"', '\\' and control
 * characters escaped), JSON null for SQL NULL, `id` and `log_index` as
 * integers, `at` as UTC "YYYY-MM-DDTHH:MM:SS.ffffffZ", and `before`/`after`
 * as the JSON values stored, themselves in the same sorted compact form.
 * Verifiers never rebuild it: an export carries these exact bytes, and the
 * leaf is SHA-256(0x00 || bytes).
 */
#ifndef ALURD_EVIDENCE_ENTRY_H
#define ALURD_EVIDENCE_ENTRY_H

#include <stdint.h>

/* An audit row as text columns (NULL = SQL NULL). */
struct ev_row {
	const char *id, *at, *actor_id, *actor_role, *action, *record_type, *record_id, *request_id,
		*http_request_id, *before, *after;
};

/* The canonical entry of row at log_index: malloc'd text (the caller frees). */
char *ev_entry_canonical(const struct ev_row *row, uint64_t log_index);

#endif
