#!/usr/bin/env python3
"""merkle_check.py: an implementation of RFC 6962 / RFC 9162 independent of
alurd's (Python's hashlib only), used by tests/api/test_audit.c to check what
alurd serves.

  merkle_check.py inclusion PROOF.json      # a GET /audit/{id}/proof answer
  merkle_check.py consistency PROOF.json    # a GET /audit/consistency answer
  merkle_check.py roots EXPORT.jsonl        # every checkpoint root of an export

Exit status 0 when everything checks, 1 with a line on stderr when not.
The tree is computed from its definition (MTH, PATH and PROOF of RFC 6962
2.1), not with alurd's verification loop: a proof is checked by rebuilding
the root it implies and comparing.
"""
import base64
import hashlib
import json
import sys


def leaf(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node(mth(leaves[:k]), mth(leaves[k:]))


def root_from_path(index, size, h, path):
    """The root PATH(index, D[size]) implies for leaf hash h (RFC 6962 2.1.1,
    walked top-down: the proof lists the siblings from the leaf up)."""
    def walk(m, n, path):
        if n == 1:
            if path:
                raise ValueError("proof too long")
            return h
        k = split(n)
        if not path:
            raise ValueError("proof too short")
        sibling, rest = path[-1], path[:-1]
        if m < k:
            return node(walk(m, k, rest), sibling)
        return node(sibling, walk(m - k, n - k, rest))
    return walk(index, size, list(path))


def b64(s):
    return base64.b64decode(s, validate=True)


def note_root(note):
    lines = note.split("\n")
    return int(lines[1]), b64(lines[2])


def check_inclusion(doc):
    h = leaf(doc["entry"].encode("utf-8"))
    if h != b64(doc["leaf_hash"]):
        return "the entry does not hash to leaf_hash"
    path = [b64(p) for p in doc["inclusion_proof"]]
    root = root_from_path(doc["log_index"], doc["tree_size"], h, path)
    if root != b64(doc["root_hash"]):
        return "the proof leads to another root"
    if doc.get("checkpoint"):
        size, croot = note_root(doc["checkpoint"])
        if size != doc["tree_size"] or croot != root:
            return "the checkpoint names another tree"
    return None


def check_consistency(doc):
    """Rebuilds both roots from the proof as RFC 6962 2.1.2 defines it."""
    m, n = doc["from"], doc["to"]
    old, new = b64(doc["from_root"]), b64(doc["to_root"])
    proof = [b64(p) for p in doc["consistency_proof"]]

    def sub(m, n, whole, proof):
        # returns (old subtree hash or None when whole, new subtree hash, rest)
        if m == n:
            if whole:
                return None, None, proof
            return proof[-1], proof[-1], proof[:-1]
        k = split(n)
        if m <= k:
            sibling, rest = proof[-1], proof[:-1]
            o, w, rest = sub(m, k, whole, rest)
            return o, node(w if w is not None else old, sibling), rest
        sibling, rest = proof[-1], proof[:-1]
        o, w, rest = sub(m - k, n - k, False, rest)
        return node(sibling, o), node(sibling, w), rest

    if m == n:
        return None if not proof and old == new else "equal sizes need an empty proof"
    o, w, rest = sub(m, n, True, proof)
    if rest:
        return "proof too long"
    if (o if o is not None else old) != old or w != new:
        return "the proof does not link the two roots"
    return None


def check_roots(path):
    with open(path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        cps = [note_root(json.loads(f.readline())["checkpoint"]) for _ in range(header["checkpoints"])]
        leaves = [leaf(json.loads(line)["entry"].encode("utf-8")) for line in f]
    for size, root in cps:
        if size > len(leaves) or mth(leaves[:size]) != root:
            return "checkpoint of size %d does not match the entries" % size
    return None if cps else "no checkpoint"


def main():
    what, path = sys.argv[1], sys.argv[2]
    try:
        if what == "roots":
            problem = check_roots(path)
        else:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            problem = check_inclusion(doc) if what == "inclusion" else check_consistency(doc)
    except (ValueError, KeyError, IndexError, TypeError) as e:
        problem = "malformed: %s" % e
    if problem:
        print("merkle_check: %s: %s" % (path, problem), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
