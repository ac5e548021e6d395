/* note.h — Ed25519 keys, signed notes and checkpoints in the C2SP formats
 * (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), so any tool that reads
 * those formats can check alurd's checkpoints.
 *
 * A key has a name (alurd uses the log's origin), a 4-byte key id
 * (SHA-256(name || "\n" || 0x01 || public key), first four bytes) and the
 * Ed25519 key. Text forms:
 *   public  <name>+<key id hex>+<base64(0x01 || public key)>
 *   private PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || 32-byte seed)>
 * A signed note is its text (ending in "\n"), a blank line, and one line per
 * signature: "— <name> <base64(key id || signature)>" (an em dash), where
 * the signature is over the text. A checkpoint's text is three lines: the
 * origin, the tree size in decimal, the root hash in base64.
 */
#ifndef ALURD_EVIDENCE_NOTE_H
#define ALURD_EVIDENCE_NOTE_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/merkle.h"

#define EV_NAME_MAX 128

struct ev_key {
	char name[EV_NAME_MAX];
	uint8_t id[4];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES]; /* all zero for a public key */
	bool has_private;
};

/* A new key pair named name (printable ASCII, no '+' or spaces). */
bool ev_key_generate(struct ev_key *k, const char *name);
/* Parses the private or public text form (surrounding white space ignored).
 * False when malformed or when the key id does not match. */
bool ev_key_parse_private(struct ev_key *k, const char *text);
bool ev_key_parse_public(struct ev_key *k, const char *text);
/* The text forms into out (at least 512 bytes); the private one only for a
 * key that has it. */
void ev_key_public_text(const struct ev_key *k, char *out, size_t n);
bool ev_key_private_text(const struct ev_key *k, char *out, size_t n);
/* Wipes the private half. */
void ev_key_wipe(struct ev_key *k);

/* The signature line of text by k ("— name base64\n"), into out (>= 256). */
void ev_sign_line(const struct ev_key *k, const void *text, size_t len, char *out, size_t n);
/* True when line (one "— name base64" line, with or without "\n") is k's
 * valid signature of text. *named tells whether the line names k at all
 * (same name and key id), so a caller can say "signed by another key". */
bool ev_verify_line(const struct ev_key *k, const void *text, size_t len, const char *line, bool *named);

struct ev_checkpoint {
	char origin[EV_NAME_MAX];
	uint64_t size;
	uint8_t root[EV_HASH];
};

/* The checkpoint's signed note text, malloc'd (the caller frees). */
char *ev_checkpoint_sign(const struct ev_key *k, const struct ev_checkpoint *c);
/* Parses a signed checkpoint note. *valid tells whether some signature line
 * is k's valid signature (*named: some line names k). False when the note
 * is malformed (why says how, >= 160 bytes). */
bool ev_checkpoint_open(const char *note, const struct ev_key *k, struct ev_checkpoint *c, bool *valid, bool *named,
			char *why, size_t n);

/* Base64 (standard, padded) and hex helpers for hashes. */
void ev_b64(const uint8_t *bytes, size_t n, char *out, size_t outn);
bool ev_unb64(const char *text, uint8_t *bytes, size_t n); /* exactly n bytes */
void ev_hex(const uint8_t *bytes, size_t n, char *out);     /* out: 2n + 1 */
bool ev_unhex(const char *text, uint8_t *bytes, size_t n);  /* exactly 2n hex digits */

#endif
