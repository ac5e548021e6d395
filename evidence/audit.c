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

/* The entry lines alurd writes have one layout; reading it by hand is
 * several times faster than a general JSON parser, which matters for a log
 * of millions. Anything else (another member order, a \\u escape) returns
 * false and the line is parsed with jansson instead, so the fast path
 * decides nothing on its own. */
struct line_entry {
	uint64_t index;
	long long audit_id;
	const char *leaf_b64; /* 44 characters */
	bool null_entry;
	char *entry;          /* unescaped, in buf */
	size_t entry_len;
};

static bool digits(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*out = v;
	return true;
}

static bool lit(const char **p, const char *t)
{
	size_t n = strlen(t);
	if (strncmp(*p, t, n) != 0)
		return false;
	*p += n;
	return true;
}

static bool fast_line(const char *line, size_t len, char **buf, size_t *cap, struct line_entry *out)
{
	const char *p = line, *end = line + len;
	uint64_t aid;
	if (!lit(&p, "{\"index\":") || !digits(&p, &out->index) || !lit(&p, ",\"audit_id\":") || !digits(&p, &aid) ||
	    !lit(&p, ",\"leaf_hash\":\"") || end - p < 46 || p[44] != '"')
		return false;
	out->audit_id = (long long)aid;
	out->leaf_b64 = p;
	p += 45;
	if (!lit(&p, ",\"entry\":"))
		return false;
	out->null_entry = false;
	if (lit(&p, "null}")) {
		out->null_entry = true;
		return p == end || (p + 1 == end && *p == '\n');
	}
	if (*p++ != '"')
		return false;
	if (*cap < len) {
		*cap = len * 2;
		*buf = realloc(*buf, *cap);
		if (!*buf)
			abort();
	}
	char *o = *buf;
	for (; p < end && *p != '"'; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x20)
			return false;
		if (ch != '\\') {
			*o++ = (char)ch;
			continue;
		}
		switch (*++p) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		default: return false; /* \\u and anything else: jansson decides */
		}
	}
	if (p >= end || *p != '"' || p[1] != '}' || !(p + 2 == end || (p + 3 == end && p[2] == '\n')))
		return false;
	out->entry = *buf;
	out->entry_len = (size_t)(o - *buf);
	return true;
}

/* The same fields through jansson; false when the line is not an entry. */
static bool slow_line(const char *line, size_t len, char **buf, size_t *cap, struct line_entry *out, char *b64)
{
	json_t *o = json_loadb(line, len, 0, NULL);
	json_t *idx = json_object_get(o, "index"), *ent = json_object_get(o, "entry");
	const char *lh = json_string_value(json_object_get(o, "leaf_hash"));
	bool ok = json_is_integer(idx) && json_integer_value(idx) >= 0 && lh && strlen(lh) == 44 &&
		  (json_is_string(ent) || json_is_null(ent));
	if (ok) {
		out->index = (uint64_t)json_integer_value(idx);
		out->audit_id = json_integer_value(json_object_get(o, "audit_id"));
		memcpy(b64, lh, 45);
		out->leaf_b64 = b64;
		out->null_entry = json_is_null(ent);
		if (!out->null_entry) {
			size_t n = json_string_length(ent);
			if (*cap < n + 1) {
				*cap = 2 * n + 1;
				*buf = realloc(*buf, *cap);
				if (!*buf)
					abort();
			}
			memcpy(*buf, json_string_value(ent), n);
			out->entry = *buf;
			out->entry_len = n;
		}
	}
	json_decref(o);
	return ok;
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
	char *ebuf = NULL;
	size_t ecap = 0;
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
		struct line_entry le;
		char b64[48];
		uint8_t recorded[EV_HASH], leaf[EV_HASH];
		if (!fast_line(line, (size_t)len, &ebuf, &ecap, &le) && !slow_line(line, (size_t)len, &ebuf, &ecap, &le, b64)) {
			fail_why(why, whyn, "not an entry line", lineno);
			goto out;
		}
		char lb[48];
		memcpy(lb, le.leaf_b64, 44);
		lb[44] = '\0';
		if (!ev_unb64(lb, recorded, EV_HASH)) {
			fail_why(why, whyn, "not an entry line (leaf_hash)", lineno);
			goto out;
		}
		uint64_t i = le.index;
		long long aid = le.audit_id;
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
			continue;
		}
		if (le.null_entry) {
			finding(&r, true, i, "entry %" PRIu64 " (audit id %lld): the audit row is gone (deleted after it was logged)",
				i, aid);
			memcpy(leaf, recorded, EV_HASH);
		} else {
			ev_leaf_hash(le.entry, le.entry_len, leaf);
			if (memcmp(leaf, recorded, EV_HASH) != 0)
				finding(&r, true, i,
					"entry %" PRIu64 " (audit id %lld) changed after it was logged: its text no longer hashes "
					"to the leaf the log recorded",
					i, aid);
		}
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
	free(ebuf);
	free(line);
	free(cps);
	return ok;
}
