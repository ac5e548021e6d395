/* note.c — see note.h. libsodium does the cryptography; this file only
 * frames it in the signed-note text format. */
#include "evidence/note.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DASH "\xe2\x80\x94" /* U+2014, as the signed-note format writes it */

void ev_b64(const uint8_t *bytes, size_t n, char *out, size_t outn)
{
	sodium_bin2base64(out, outn, bytes, n, sodium_base64_VARIANT_ORIGINAL);
}

bool ev_unb64(const char *text, uint8_t *bytes, size_t n)
{
	size_t len;
	const char *end;
	return sodium_base642bin(bytes, n, text, strlen(text), NULL, &len, &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       len == n && *end == '\0';
}

void ev_hex(const uint8_t *bytes, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, bytes, n);
}

bool ev_unhex(const char *text, uint8_t *bytes, size_t n)
{
	size_t len;
	const char *end;
	return strlen(text) == 2 * n && sodium_hex2bin(bytes, n, text, 2 * n, NULL, &len, &end) == 0 && len == n;
}

static bool good_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= EV_NAME_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == '+')
			return false;
	return true;
}

static void key_id(struct ev_key *k)
{
	crypto_hash_sha256_state st;
	uint8_t h[32];
	const unsigned char nl = '\n', alg = 0x01;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)k->name, strlen(k->name));
	crypto_hash_sha256_update(&st, &nl, 1);
	crypto_hash_sha256_update(&st, &alg, 1);
	crypto_hash_sha256_update(&st, k->pk, sizeof k->pk);
	crypto_hash_sha256_final(&st, h);
	memcpy(k->id, h, 4);
}

bool ev_key_generate(struct ev_key *k, const char *name)
{
	memset(k, 0, sizeof *k);
	if (!good_name(name))
		return false;
	strcpy(k->name, name);
	crypto_sign_keypair(k->pk, k->sk);
	k->has_private = true;
	key_id(k);
	return true;
}

/* Splits "name+hexid+base64" (the tail of either form) and checks the id. */
static bool parse_tail(struct ev_key *k, const char *s, uint8_t key[33])
{
	char buf[512];
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	if (len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *p1 = strchr(buf, '+'), *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
	if (!p1 || !p2)
		return false;
	*p1 = *p2 = '\0';
	uint8_t id[4];
	if (!good_name(buf) || !ev_unhex(p1 + 1, id, 4) || !ev_unb64(p2 + 1, key, 33) || key[0] != 0x01)
		return false;
	strcpy(k->name, buf);
	memcpy(k->id, id, 4);
	return true;
}

bool ev_key_parse_private(struct ev_key *k, const char *text)
{
	uint8_t key[33], id[4];
	memset(k, 0, sizeof *k);
	while (isspace((unsigned char)*text))
		text++;
	if (strncmp(text, "PRIVATE+KEY+", 12) != 0 || !parse_tail(k, text + 12, key))
		return false;
	crypto_sign_seed_keypair(k->pk, k->sk, key + 1);
	sodium_memzero(key, sizeof key);
	memcpy(id, k->id, 4);
	key_id(k);
	k->has_private = true;
	if (memcmp(id, k->id, 4) != 0) {
		ev_key_wipe(k);
		return false;
	}
	return true;
}

bool ev_key_parse_public(struct ev_key *k, const char *text)
{
	uint8_t key[33], id[4];
	memset(k, 0, sizeof *k);
	if (!parse_tail(k, text, key))
		return false;
	memcpy(k->pk, key + 1, sizeof k->pk);
	memcpy(id, k->id, 4);
	key_id(k);
	return memcmp(id, k->id, 4) == 0;
}

void ev_key_public_text(const struct ev_key *k, char *out, size_t n)
{
	uint8_t key[33] = {0x01};
	char id[9], b64[64];
	memcpy(key + 1, k->pk, 32);
	ev_hex(k->id, 4, id);
	ev_b64(key, 33, b64, sizeof b64);
	snprintf(out, n, "%s+%s+%s", k->name, id, b64);
}

bool ev_key_private_text(const struct ev_key *k, char *out, size_t n)
{
	if (!k->has_private)
		return false;
	uint8_t key[33] = {0x01};
	char id[9], b64[64];
	crypto_sign_ed25519_sk_to_seed(key + 1, k->sk);
	ev_hex(k->id, 4, id);
	ev_b64(key, 33, b64, sizeof b64);
	sodium_memzero(key, sizeof key);
	snprintf(out, n, "PRIVATE+KEY+%s+%s+%s", k->name, id, b64);
	sodium_memzero(b64, sizeof b64);
	return true;
}

void ev_key_wipe(struct ev_key *k)
{
	sodium_memzero(k->sk, sizeof k->sk);
	k->has_private = false;
}

void ev_sign_line(const struct ev_key *k, const void *text, size_t len, char *out, size_t n)
{
	uint8_t blob[4 + crypto_sign_BYTES];
	char b64[sodium_base64_ENCODED_LEN(sizeof blob, sodium_base64_VARIANT_ORIGINAL)];
	memcpy(blob, k->id, 4);
	crypto_sign_detached(blob + 4, NULL, text, len, k->sk);
	ev_b64(blob, sizeof blob, b64, sizeof b64);
	snprintf(out, n, DASH " %s %s\n", k->name, b64);
}

bool ev_verify_line(const struct ev_key *k, const void *text, size_t len, const char *line, bool *named)
{
	*named = false;
	size_t dl = strlen(DASH " ");
	if (strncmp(line, DASH " ", dl) != 0)
		return false;
	const char *name = line + dl, *sp = strchr(name, ' ');
	if (!sp || (size_t)(sp - name) != strlen(k->name) || strncmp(name, k->name, (size_t)(sp - name)) != 0)
		return false;
	char b64[200];
	size_t bl = strcspn(sp + 1, "\n");
	if (bl >= sizeof b64)
		return false;
	memcpy(b64, sp + 1, bl);
	b64[bl] = '\0';
	uint8_t blob[4 + crypto_sign_BYTES];
	if (!ev_unb64(b64, blob, sizeof blob) || memcmp(blob, k->id, 4) != 0)
		return false;
	*named = true;
	return crypto_sign_verify_detached(blob + 4, text, len, k->pk) == 0;
}

char *ev_checkpoint_sign(const struct ev_key *k, const struct ev_checkpoint *c)
{
	char root[64], body[512], sig[300];
	ev_b64(c->root, EV_HASH, root, sizeof root);
	int blen = snprintf(body, sizeof body, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, root);
	ev_sign_line(k, body, (size_t)blen, sig, sizeof sig);
	size_t n = (size_t)blen + 1 + strlen(sig) + 1;
	char *out = malloc(n);
	if (!out)
		abort();
	snprintf(out, n, "%s\n%s", body, sig);
	return out;
}

static bool why_(char *why, size_t n, const char *text)
{
	snprintf(why, n, "%s", text);
	return false;
}

bool ev_checkpoint_open(const char *note, const struct ev_key *k, struct ev_checkpoint *c, bool *valid, bool *named,
			char *why, size_t n)
{
	*valid = *named = false;
	memset(c, 0, sizeof *c);
	const char *sep = strstr(note, "\n\n");
	if (!sep)
		return why_(why, n, "no blank line before the signatures");
	size_t body_len = (size_t)(sep - note) + 1;
	/* the body: origin, size, root (extension lines allowed after them) */
	const char *l1 = note, *e1 = memchr(l1, '\n', body_len);
	const char *l2 = e1 ? e1 + 1 : NULL, *e2 = l2 ? memchr(l2, '\n', body_len - (size_t)(l2 - note)) : NULL;
	const char *l3 = e2 ? e2 + 1 : NULL, *e3 = l3 ? memchr(l3, '\n', body_len - (size_t)(l3 - note)) : NULL;
	if (!e1 || !e2 || !e3)
		return why_(why, n, "the note has fewer than three lines before the blank line");
	if ((size_t)(e1 - l1) == 0 || (size_t)(e1 - l1) >= sizeof c->origin)
		return why_(why, n, "bad origin line");
	memcpy(c->origin, l1, (size_t)(e1 - l1));
	char num[32], b64[64];
	if ((size_t)(e2 - l2) == 0 || (size_t)(e2 - l2) >= sizeof num || (size_t)(e3 - l3) >= sizeof b64)
		return why_(why, n, "bad tree size or root line");
	memcpy(num, l2, (size_t)(e2 - l2));
	num[e2 - l2] = '\0';
	memcpy(b64, l3, (size_t)(e3 - l3));
	b64[e3 - l3] = '\0';
	if (strspn(num, "0123456789") != strlen(num) || (num[0] == '0' && num[1]))
		return why_(why, n, "the tree size is not a decimal number");
	c->size = strtoull(num, NULL, 10);
	if (!ev_unb64(b64, c->root, EV_HASH))
		return why_(why, n, "the root hash is not 32 bytes of base64");
	/* the signature lines */
	const char *p = sep + 2;
	int lines = 0;
	while (*p) {
		const char *end = strchr(p, '\n');
		if (!end)
			return why_(why, n, "the last signature line does not end in a newline");
		char line[300];
		if ((size_t)(end - p) >= sizeof line)
			return why_(why, n, "a signature line is too long");
		memcpy(line, p, (size_t)(end - p));
		line[end - p] = '\0';
		bool nm;
		if (ev_verify_line(k, note, body_len, line, &nm))
			*valid = true;
		*named |= nm;
		lines++;
		p = end + 1;
	}
	if (!lines)
		return why_(why, n, "no signature lines");
	return true;
}
