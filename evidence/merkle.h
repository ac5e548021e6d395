/* merkle.h — the RFC 6962 / RFC 9162 Merkle tree of the audit log.
 *
 * leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right), and
 * the tree of n leaves splits at the largest power of two below n. Nothing
 * here knows where hashes are kept: proofs are computed from a node source,
 * a callback that answers the hash of one complete, aligned subtree (level l,
 * index i covers leaves [i * 2^l, (i + 1) * 2^l)). alurd stores exactly
 * those subtrees, so every proof and root costs O(log n) stored hashes; the
 * offline verifier instead folds the leaves it reads into a stack of complete
 * subtrees (ev_stack), one pass, no tree in memory.
 */
#ifndef ALURD_EVIDENCE_MERKLE_H
#define ALURD_EVIDENCE_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EV_HASH 32
#define EV_MAX_PROOF 64 /* hashes in a proof: at most 2 * log2(2^63) */

/* SHA-256(0x00 || data) / SHA-256(0x01 || left || right). */
void ev_leaf_hash(const void *data, size_t len, uint8_t out[EV_HASH]);
void ev_node_hash(const uint8_t left[EV_HASH], const uint8_t right[EV_HASH], uint8_t out[EV_HASH]);

/* ---- appending: the right edge of the tree -------------------------------- */

/* The complete subtrees of a tree of `size` leaves, largest (leftmost) first:
 * the binary decomposition of size. */
struct ev_stack {
	uint64_t size;
	int n;
	int level[64];
	uint8_t hash[64][EV_HASH];
};

/* Called for every complete subtree an append completes (the leaf itself at
 * level 0, then each parent it closes). */
typedef void (*ev_node_sink)(void *ctx, int level, uint64_t index, const uint8_t hash[EV_HASH]);

void ev_stack_init(struct ev_stack *s);
/* Appends one leaf hash; sink (may be NULL) sees the new complete subtrees. */
void ev_stack_push(struct ev_stack *s, const uint8_t leaf[EV_HASH], ev_node_sink sink, void *ctx);
/* The root hash of the s->size leaves so far (SHA-256("") when empty). */
void ev_stack_root(const struct ev_stack *s, uint8_t out[EV_HASH]);
/* The (level, index) of the complete subtrees a tree of size leaves keeps on
 * its right edge, largest first; returns how many (at most 64). */
int ev_edge_nodes(uint64_t size, int level[64], uint64_t index[64]);

/* ---- proofs from stored subtrees ------------------------------------------ */

/* Fills out with the hash of subtree (level, index); false when unknown. */
typedef bool (*ev_node_source)(void *ctx, int level, uint64_t index, uint8_t out[EV_HASH]);

/* The root of the first `size` leaves. False when the source failed. */
bool ev_root(ev_node_source src, void *ctx, uint64_t size, uint8_t out[EV_HASH]);
/* The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162
 * 2.1.3.1), leaf side first; *n receives how many hashes. Needs index < size. */
bool ev_inclusion_proof(ev_node_source src, void *ctx, uint64_t index, uint64_t size, uint8_t proof[][EV_HASH],
			int *n);
/* The consistency proof between the trees of `from` and `to` leaves
 * (RFC 9162 2.1.4.1); needs 0 < from <= to. */
bool ev_consistency_proof(ev_node_source src, void *ctx, uint64_t from, uint64_t to, uint8_t proof[][EV_HASH],
			  int *n);

/* Calls src for every subtree the root / proof of these sizes reads, so a
 * caller can fetch them in one query first: the same walk with a source that
 * only records. Returns how many (level, index) pairs were written (at most
 * cap; duplicates possible). */
int ev_root_needs(uint64_t size, int cap, int *level, uint64_t *index);
int ev_inclusion_needs(uint64_t index, uint64_t size, int cap, int *level, uint64_t *idx);
int ev_consistency_needs(uint64_t from, uint64_t to, int cap, int *level, uint64_t *index);

/* ---- verifying (RFC 9162 2.1.3.2 and 2.1.4.2) ----------------------------- */

bool ev_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[EV_HASH], const uint8_t proof[][EV_HASH],
			 int n, const uint8_t root[EV_HASH]);
bool ev_verify_consistency(uint64_t from, uint64_t to, const uint8_t from_root[EV_HASH],
			   const uint8_t to_root[EV_HASH], const uint8_t proof[][EV_HASH], int n);

#endif
