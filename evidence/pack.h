/* pack.h — the evidence pack of one request: a tar archive (pax, written
 * and read with libarchive) whose every file is listed with its SHA-256 in
 * MANIFEST (the `sha256sum` format, so `sha256sum -c MANIFEST` works too),
 * and MANIFEST.sig, one signed-note signature line over MANIFEST's bytes by
 * the log's key. What the files are is the caller's business; the verifier
 * knows four of them: documents.json (each document's recorded SHA-256),
 * audit/checkpoint.txt (a signed checkpoint), audit/entries.jsonl (audit
 * entries with inclusion proofs against it) and audit/log-key.pub.
 */
#ifndef ALURD_EVIDENCE_PACK_H
#define ALURD_EVIDENCE_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evidence/note.h"

struct ev_pack;

/* A new, empty pack held in memory. */
struct ev_pack *ev_pack_new(void);
/* Adds a file (bytes copied); names are relative paths. */
void ev_pack_add(struct ev_pack *p, const char *name, const void *bytes, size_t len);
/* Writes MANIFEST and MANIFEST.sig (signed by key) and closes the archive:
 * *out is malloc'd (the caller frees), *len its size. Frees p. False on a
 * libarchive failure. */
bool ev_pack_finish(struct ev_pack *p, const struct ev_key *key, void **out, size_t *len);

struct ev_pack_result {
	int files, entries, failures;
	uint64_t tree_size;
	char key_name[EV_NAME_MAX];
	char first[512]; /* the first failure, "" when none */
};

/* Checks the pack at path end to end: MANIFEST's signature, every file's
 * hash (an altered, added or missing file is named), the documents'
 * recorded hashes, the checkpoint's signature and every audit entry's
 * inclusion proof, and that every entry belongs to the pack's request.
 * key NULL: use the pack's own audit/log-key.pub (reported, since a pack
 * cannot vouch for itself). Findings go to report, one per line. False only
 * when the file is not a readable archive (why filled). */
bool ev_pack_verify(const char *path, const struct ev_key *key, FILE *report, struct ev_pack_result *res, char *why,
		    size_t whyn);

#endif
