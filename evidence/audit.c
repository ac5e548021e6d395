/* audit.c — see audit.h. One pass over the entry lines; the checkpoints come
 * first in the file, so each one's root is compared the moment the stack
 * reaches its size. */
#include "evidence/audit.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void ev_export_header(FILE *f, const char *origin, uint64_t size, int checkpoints)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:i}", "format", EV_EXPORT_FORMAT, "origin", origin, "size",
			      (json_int_t)size, "checkpoints", checkpoints);
	json_dumpf(o, f, JSON_COMPACT | JSON_SORT_KEYS);
	fputc('\n', f);
	json_decref(o);
}

void ev_export_checkpoint(FILE *f, const char *note)
{
	json_t *o = json_pack("{s:s}", "checkpoint", note);
	json_dumpf(o, f, JSON_COMPACT);
	fputc('\n', f);
	json_decref(o);
}

void ev_export_entry(FILE *f, uint64_t index, const char *audit_id, const uint8_t leaf[EV_HASH], const char *entry)
{
	char b64[64];
	ev_b64(leaf, EV_HASH, b64, sizeof b64);
	json_t *o = json_pack("{s:I, s:I, s:s, s:o}", "index", (json_int_t)index, "audit_id",
			      (json_int_t)(audit_id ? strtoll(audit_id, NULL, 10) : 0), "leaf_hash", b64, "entry",
			      entry ? json_string(entry) : json_null());
	json_dumpf(o, f, JSON_COMPACT);
	fputc('\n', f);
	json_decref(o);
}

struct cp {
	char label[96];
	struct ev_checkpoint c;
	bool valid;
};

struct run {
	FILE *report;
	struct ev_audit_result *res;
	uint64_t first_index; /* UINT64_MAX: no entry finding yet */
	char first_cp[512];
};

static void finding(struct run *r, bool fail, uint64_t index, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void finding(struct run *r, bool fail, uint64_t index, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(r->report, "%s %s\n", fail ? "FAIL" : "note", msg);
	if (!fail)
		return;
	r->res->failures++;
	if (index != UINT64_MAX && (r->first_index == UINT64_MAX || index < r->first_index)) {
		r->first_index = index;
		snprintf(r->res->first, sizeof r->res->first, "%s", msg);
	} else if (index == UINT64_MAX && !r->first_cp[0]) {
		snprintf(r->first_cp, sizeof r->first_cp, "%s", msg);
	}
}

static int by_size(const void *a, const void *b)
{
	const struct cp *x = a, *y = b;
	if (x->valid != y->valid)
		return x->valid ? -1 : 1;
	return x->c.size < y->c.size ? -1 : x->c.size > y->c.size;
}

static bool add_cp(struct cp **cps, int *n, const char *note, const char *label, const struct ev_key *key,
		   struct run *r)
{
	struct cp *c = &(*cps)[(*n)++];
	memset(c, 0, sizeof *c);
	snprintf(c->label, sizeof c->label, "%s", label);
	bool named;
	char why[160];
	if (!ev_checkpoint_open(note, key, &c->c, &c->valid, &named, why, sizeof why)) {
		finding(r, true, UINT64_MAX, "checkpoint %s is malformed: %s", label, why);
		return false;
	}
	if (!c->valid)
		finding(r, true, UINT64_MAX, "checkpoint %s (tree size %" PRIu64 ") is %s", label, c->c.size,
			named ? "signed by this key name but the signature does not verify"
			      : "not signed by the trusted key (another key signed it)");
	return true;
}

static bool fail_why(char *why, size_t n, const char *msg, uint64_t line)
{
	snprintf(why, n, "line %" PRIu64 ": %s", line, msg);
	return false;
}

bool ev_audit_verify(FILE *f, const struct ev_key *key, const char *const *extra, const char *const *extra_labels,
		     int n_extra, FILE *report, struct ev_audit_result *res, char *why, size_t whyn)
{
	memset(res, 0, sizeof *res);
	struct run r = {report, res, UINT64_MAX, ""};
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	uint64_t lineno = 0;
	bool ok = false;
	struct cp *cps = NULL;
	int ncp = 0;
	json_t *o = NULL;
	if ((len = getline(&line, &cap, f)) <= 0)
		goto out_empty;
	lineno++;
	o = json_loadb(line, (size_t)len, 0, NULL);
	if (!o || !json_is_string(json_object_get(o, "format")) ||
	    strcmp(json_string_value(json_object_get(o, "format")), EV_EXPORT_FORMAT) != 0) {
		fail_why(why, whyn, "not an " EV_EXPORT_FORMAT " file (no header line)", lineno);
		goto out;
	}
	json_int_t k = json_integer_value(json_object_get(o, "checkpoints"));
	if (k < 0 || k > 1000000) {
		fail_why(why, whyn, "bad checkpoint count", lineno);
		goto out;
	}
	json_decref(o);
	o = NULL;
	cps = calloc((size_t)k + (size_t)n_extra + 1, sizeof *cps);
	if (!cps)
		abort();
	for (json_int_t i = 0; i < k; i++) {
		if ((len = getline(&line, &cap, f)) <= 0) {
			fail_why(why, whyn, "the file ends inside the checkpoints", lineno);
			goto out;
		}
		lineno++;
		o = json_loadb(line, (size_t)len, 0, NULL);
		const char *note = json_string_value(json_object_get(o, "checkpoint"));
		if (!note) {
			fail_why(why, whyn, "not a checkpoint line", lineno);
			goto out;
		}
		char label[64];
		snprintf(label, sizeof label, "#%d of the export", (int)i + 1);
		add_cp(&cps, &ncp, note, label, key, &r);
		json_decref(o);
		o = NULL;
	}
	for (int i = 0; i < n_extra; i++)
		add_cp(&cps, &ncp, extra[i], extra_labels[i], key, &r);
	qsort(cps, (size_t)ncp, sizeof *cps, by_size);
	int nvalid = 0;
	while (nvalid < ncp && cps[nvalid].valid)
		nvalid++;
	for (int i = 1; i < nvalid; i++)
		if (cps[i].c.size == cps[i - 1].c.size && memcmp(cps[i].c.root, cps[i - 1].c.root, EV_HASH) != 0)
			finding(&r, true, UINT64_MAX,
				"checkpoints %s and %s both have tree size %" PRIu64 " but different roots (a forked log)",
				cps[i - 1].label, cps[i].label, cps[i].c.size);
	if (nvalid == 0)
		finding(&r, true, UINT64_MAX, "no checkpoint is signed by the trusted key %s: nothing vouches for the entries",
			key->name);

	struct ev_stack st;
	ev_stack_init(&st);
	uint64_t p = 0, good = 0; /* good: largest size a valid checkpoint confirmed */
	bool broken = false;      /* entries missing: later roots cannot be computed */
	int next = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		o = json_loadb(line, (size_t)len, 0, NULL);
		json_t *idx = json_object_get(o, "index"), *ent = json_object_get(o, "entry");
		const char *lh = json_string_value(json_object_get(o, "leaf_hash"));
		json_int_t aid = json_integer_value(json_object_get(o, "audit_id"));
		uint8_t recorded[EV_HASH], leaf[EV_HASH];
		if (!json_is_integer(idx) || json_integer_value(idx) < 0 || !lh || !ev_unb64(lh, recorded, EV_HASH) ||
		    !(json_is_string(ent) || json_is_null(ent))) {
			fail_why(why, whyn, "not an entry line", lineno);
			goto out;
		}
		uint64_t i = (uint64_t)json_integer_value(idx);
		if (i != p) {
			if (i > p)
				finding(&r, true, p,
					"entry %" PRIu64 " is missing: the log goes from index %" PRIu64 " to %" PRIu64
					" (%" PRIu64 " entries deleted)",
					p, p ? p - 1 : 0, i, i - p);
			else
				finding(&r, true, i, "entry %" PRIu64 " appears again after entry %" PRIu64 " (out of order)",
					i, p - 1);
			broken = true;
			p = i + 1;
			json_decref(o);
			o = NULL;
			continue;
		}
		if (json_is_null(ent)) {
			finding(&r, true, i, "entry %" PRIu64 " (audit id %lld): the audit row is gone (deleted after it was logged)",
				i, (long long)aid);
			memcpy(leaf, recorded, EV_HASH);
		} else {
			ev_leaf_hash(json_string_value(ent), json_string_length(ent), leaf);
			if (memcmp(leaf, recorded, EV_HASH) != 0)
				finding(&r, true, i,
					"entry %" PRIu64 " (audit id %lld) changed after it was logged: its text no longer hashes "
					"to the leaf the log recorded",
					i, (long long)aid);
		}
		json_decref(o);
		o = NULL;
		ev_stack_push(&st, leaf, NULL, NULL);
		p++;
		res->entries++;
		for (; next < nvalid && cps[next].c.size <= p; next++) {
			struct cp *c = &cps[next];
			if (c->c.size < p)
				continue; /* size 0 */
			uint8_t root[EV_HASH];
			ev_stack_root(&st, root);
			if (broken) {
				finding(&r, true, UINT64_MAX,
					"checkpoint %s (tree size %" PRIu64 ") cannot match: entries are missing before it",
					c->label, c->c.size);
			} else if (memcmp(root, c->c.root, EV_HASH) != 0) {
				/* a bad entry found already inside the range explains it */
				finding(&r, true, r.first_index < c->c.size ? UINT64_MAX : good,
					"checkpoint %s (tree size %" PRIu64 ") does not match the entries: the first bad entry "
					"is among indexes %" PRIu64 "..%" PRIu64,
					c->label, c->c.size, good, c->c.size - 1);
			} else {
				good = c->c.size;
				res->checkpoints_valid++;
				res->covered = good;
			}
		}
	}
	for (; next < nvalid; next++)
		if (cps[next].c.size > p)
			finding(&r, true, p,
				"the log ends after %" PRIu64 " entries but checkpoint %s commits to %" PRIu64
				": entries %" PRIu64 "..%" PRIu64 " are missing (truncated)",
				p, cps[next].label, cps[next].c.size, p, cps[next].c.size - 1);
	if (!broken && res->covered < p)
		finding(&r, false, UINT64_MAX, "entries %" PRIu64 "..%" PRIu64 " are not covered by a checkpoint yet",
			res->covered, p - 1);
	if (!res->first[0] && r.first_cp[0])
		snprintf(res->first, sizeof res->first, "%s", r.first_cp);
	ok = true;
	goto out;
out_empty:
	fail_why(why, whyn, "the file is empty", 0);
out:
	json_decref(o);
	free(line);
	free(cps);
	return ok;
}
