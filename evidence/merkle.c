/* merkle.c — see merkle.h. Proof generation follows the recursive
 * definitions of RFC 6962 2.1.1 and 2.1.2 over ranges of leaves; every range
 * that recursion visits starts at a multiple of its own largest power of two,
 * so a range whose size is a power of two is exactly one stored subtree. */
#include "evidence/merkle.h"

#include <sodium.h>
#include <string.h>

void ev_leaf_hash(const void *data, size_t len, uint8_t out[EV_HASH])
{
	crypto_hash_sha256_state st;
	const unsigned char zero = 0x00;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

void ev_node_hash(const uint8_t left[EV_HASH], const uint8_t right[EV_HASH], uint8_t out[EV_HASH])
{
	unsigned char buf[1 + 2 * EV_HASH];
	buf[0] = 0x01;
	memcpy(buf + 1, left, EV_HASH);
	memcpy(buf + 1 + EV_HASH, right, EV_HASH);
	crypto_hash_sha256(out, buf, sizeof buf);
}

static int log2_exact(uint64_t n)
{
	int l = 0;
	while ((UINT64_C(1) << l) < n)
		l++;
	return l;
}

static bool is_pow2(uint64_t n)
{
	return n && (n & (n - 1)) == 0;
}

/* The largest power of two strictly below n (n >= 2). */
static uint64_t split(uint64_t n)
{
	uint64_t k = 1;
	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* ---- the right edge -------------------------------------------------------- */

void ev_stack_init(struct ev_stack *s)
{
	memset(s, 0, sizeof *s);
}

void ev_stack_push(struct ev_stack *s, const uint8_t leaf[EV_HASH], ev_node_sink sink, void *ctx)
{
	uint64_t index = s->size;
	int level = 0;
	memcpy(s->hash[s->n], leaf, EV_HASH);
	s->level[s->n++] = 0;
	if (sink)
		sink(ctx, 0, index, leaf);
	/* merge equal neighbours, as a binary counter carries */
	while (s->n >= 2 && s->level[s->n - 2] == s->level[s->n - 1]) {
		uint8_t h[EV_HASH];
		ev_node_hash(s->hash[s->n - 2], s->hash[s->n - 1], h);
		s->n--;
		level = ++s->level[s->n - 1];
		memcpy(s->hash[s->n - 1], h, EV_HASH);
		index >>= 1;
		if (sink)
			sink(ctx, level, index, h);
	}
	s->size++;
}

void ev_stack_root(const struct ev_stack *s, uint8_t out[EV_HASH])
{
	if (s->n == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return;
	}
	uint8_t h[EV_HASH];
	memcpy(h, s->hash[s->n - 1], EV_HASH);
	for (int i = s->n - 2; i >= 0; i--)
		ev_node_hash(s->hash[i], h, h);
	memcpy(out, h, EV_HASH);
}

int ev_edge_nodes(uint64_t size, int level[64], uint64_t index[64])
{
	int n = 0;
	uint64_t start = 0;
	for (int l = 63; l >= 0; l--)
		if (size & (UINT64_C(1) << l)) {
			level[n] = l;
			index[n] = start >> l;
			start += UINT64_C(1) << l;
			n++;
		}
	return n;
}

/* ---- proofs ---------------------------------------------------------------- */

static bool range_hash(ev_node_source src, void *ctx, uint64_t a, uint64_t b, uint8_t out[EV_HASH])
{
	uint64_t n = b - a;
	if (is_pow2(n)) {
		int l = log2_exact(n);
		return src(ctx, l, a >> l, out);
	}
	uint64_t k = split(n);
	uint8_t left[EV_HASH], right[EV_HASH];
	if (!range_hash(src, ctx, a, a + k, left) || !range_hash(src, ctx, a + k, b, right))
		return false;
	ev_node_hash(left, right, out);
	return true;
}

bool ev_root(ev_node_source src, void *ctx, uint64_t size, uint8_t out[EV_HASH])
{
	if (size == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return true;
	}
	return range_hash(src, ctx, 0, size, out);
}

/* PATH(m, D[a:b]) appended to proof. */
static bool path(ev_node_source src, void *ctx, uint64_t m, uint64_t a, uint64_t b, uint8_t proof[][EV_HASH], int *n)
{
	if (b - a <= 1)
		return true;
	uint64_t k = split(b - a);
	if (*n >= EV_MAX_PROOF)
		return false;
	if (m < k)
		return path(src, ctx, m, a, a + k, proof, n) && range_hash(src, ctx, a + k, b, proof[(*n)++]);
	return path(src, ctx, m - k, a + k, b, proof, n) && range_hash(src, ctx, a, a + k, proof[(*n)++]);
}

bool ev_inclusion_proof(ev_node_source src, void *ctx, uint64_t index, uint64_t size, uint8_t proof[][EV_HASH],
			int *n)
{
	*n = 0;
	return index < size && path(src, ctx, index, 0, size, proof, n);
}

/* SUBPROOF(m, D[a:b], whole) appended to proof. */
static bool subproof(ev_node_source src, void *ctx, uint64_t m, uint64_t a, uint64_t b, bool whole,
		     uint8_t proof[][EV_HASH], int *n)
{
	if (*n >= EV_MAX_PROOF)
		return false;
	if (m == b - a)
		return whole || range_hash(src, ctx, a, b, proof[(*n)++]);
	uint64_t k = split(b - a);
	if (m <= k)
		return subproof(src, ctx, m, a, a + k, whole, proof, n) && range_hash(src, ctx, a + k, b, proof[(*n)++]);
	return subproof(src, ctx, m - k, a + k, b, false, proof, n) && range_hash(src, ctx, a, a + k, proof[(*n)++]);
}

bool ev_consistency_proof(ev_node_source src, void *ctx, uint64_t from, uint64_t to, uint8_t proof[][EV_HASH],
			  int *n)
{
	*n = 0;
	return from > 0 && from <= to && subproof(src, ctx, from, 0, to, true, proof, n);
}

/* ---- what a walk reads ----------------------------------------------------- */

struct recorder {
	int cap, n;
	int *level;
	uint64_t *index;
};

static bool record(void *ctx, int level, uint64_t index, uint8_t out[EV_HASH])
{
	struct recorder *r = ctx;
	memset(out, 0, EV_HASH);
	if (r->n >= r->cap)
		return false;
	r->level[r->n] = level;
	r->index[r->n++] = index;
	return true;
}

int ev_root_needs(uint64_t size, int cap, int *level, uint64_t *index)
{
	struct recorder r = {cap, 0, level, index};
	uint8_t h[EV_HASH];
	ev_root(record, &r, size, h);
	return r.n;
}

int ev_inclusion_needs(uint64_t index, uint64_t size, int cap, int *level, uint64_t *idx)
{
	struct recorder r = {cap, 0, level, idx};
	uint8_t proof[EV_MAX_PROOF][EV_HASH];
	int n;
	if (index < size)
		record(&r, 0, index, proof[0]); /* the leaf itself */
	ev_inclusion_proof(record, &r, index, size, proof, &n);
	return r.n;
}

int ev_consistency_needs(uint64_t from, uint64_t to, int cap, int *level, uint64_t *index)
{
	struct recorder r = {cap, 0, level, index};
	uint8_t proof[EV_MAX_PROOF][EV_HASH];
	int n;
	ev_consistency_proof(record, &r, from, to, proof, &n);
	return r.n;
}

/* ---- verifying ------------------------------------------------------------- */

bool ev_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[EV_HASH], const uint8_t proof[][EV_HASH],
			 int n, const uint8_t root[EV_HASH])
{
	if (index >= size)
		return false;
	uint64_t fn = index, sn = size - 1;
	uint8_t r[EV_HASH];
	memcpy(r, leaf, EV_HASH);
	for (int i = 0; i < n; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			ev_node_hash(proof[i], r, r);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			ev_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, EV_HASH) == 0;
}

bool ev_verify_consistency(uint64_t from, uint64_t to, const uint8_t from_root[EV_HASH],
			   const uint8_t to_root[EV_HASH], const uint8_t proof[][EV_HASH], int n)
{
	if (from == 0 || from > to)
		return false;
	if (from == to)
		return n == 0 && sodium_memcmp(from_root, to_root, EV_HASH) == 0;
	uint8_t path_[EV_MAX_PROOF + 1][EV_HASH];
	int m = 0;
	if (n > EV_MAX_PROOF)
		return false;
	if (is_pow2(from))
		memcpy(path_[m++], from_root, EV_HASH);
	for (int i = 0; i < n; i++)
		memcpy(path_[m++], proof[i], EV_HASH);
	if (m == 0)
		return false;
	uint64_t fn = from - 1, sn = to - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	uint8_t fr[EV_HASH], sr[EV_HASH];
	memcpy(fr, path_[0], EV_HASH);
	memcpy(sr, path_[0], EV_HASH);
	for (int i = 1; i < m; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			ev_node_hash(path_[i], fr, fr);
			ev_node_hash(path_[i], sr, sr);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			ev_node_hash(sr, path_[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(fr, from_root, EV_HASH) == 0 && sodium_memcmp(sr, to_root, EV_HASH) == 0;
}
