/* audit.h — the audit-log export and its offline verifier.
 *
 * The export is JSON Lines ("alurd-audit-export/1"), in this order:
 *   {"format":"alurd-audit-export/1","origin":O,"size":N,"checkpoints":K}
 *   K lines {"checkpoint": "<signed note text>"}
 *   N lines {"index":i,"audit_id":A,"leaf_hash":"<base64>","entry":"<canonical entry>"}
 * ("entry": null when the logged audit row no longer exists). leaf_hash is the
 * hash the log recorded when it appended the entry; the verifier recomputes
 * every leaf from the entry bytes and every checkpoint's root from the
 * leaves, so the file itself is not trusted: only the public key is.
 *
 * ev_audit_verify reads an export in one pass (a stack of O(log n) hashes,
 * nothing else in memory), checks each checkpoint's signature with the
 * trusted key, and reports, in order of index: an entry missing or out of
 * order, an entry whose bytes no longer hash to its recorded leaf, a
 * checkpoint whose root differs from the entries' (naming the range of
 * entries that holds the first difference), checkpoints of one size with two
 * roots, and a log shorter than a checkpoint says (truncated). Checkpoints
 * the auditor kept elsewhere (a webhook, an earlier download) are passed as
 * extra notes and weigh the same as the file's own.
 */
#ifndef ALURD_EVIDENCE_AUDIT_H
#define ALURD_EVIDENCE_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "evidence/note.h"

#define EV_EXPORT_FORMAT "alurd-audit-export/1"

/* Writes one entry line of the export to f. entry NULL: the row is missing. */
void ev_export_entry(FILE *f, uint64_t index, const char *audit_id, const uint8_t leaf[EV_HASH], const char *entry);
/* The header line and one checkpoint line. */
void ev_export_header(FILE *f, const char *origin, uint64_t size, int checkpoints);
void ev_export_checkpoint(FILE *f, const char *note);

struct ev_audit_result {
	uint64_t entries;         /* entry lines read */
	int checkpoints_valid;    /* signed by the key and matching the entries */
	int failures;             /* findings that make the log untrustworthy */
	uint64_t covered;         /* entries a valid, matching checkpoint vouches for */
	char first[512];          /* the first bad entry or checkpoint, "" when none */
};

/* Verifies the export read from f against key, with extra signed checkpoint
 * notes (n_extra of them, labels name them in messages). Every finding is
 * written to report as one line ("FAIL ..." or "note ..."). Returns false
 * only when f is not an export at all (why filled); the verdict is
 * res->failures == 0. */
bool ev_audit_verify(FILE *f, const struct ev_key *key, const char *const *extra, const char *const *extra_labels,
		     int n_extra, FILE *report, struct ev_audit_result *res, char *why, size_t whyn);

#endif
