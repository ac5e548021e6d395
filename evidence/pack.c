/* pack.c — see pack.h. The archive is built in a growing memory buffer
 * through libarchive's write callbacks; files carry one modification time
 * (the pack's) and mode 0644, so a pack says nothing its MANIFEST does not. */
#include "evidence/pack.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ev_pack {
	struct archive *ar;
	char *buf;
	size_t len, cap;
	char *manifest;
	size_t mlen, mcap;
	time_t mtime;
	bool failed;
};

static la_ssize_t on_write(struct archive *ar, void *ctx, const void *bytes, size_t n)
{
	(void)ar;
	struct ev_pack *p = ctx;
	if (p->len + n > p->cap) {
		while (p->len + n > p->cap)
			p->cap = p->cap ? 2 * p->cap : 65536;
		p->buf = realloc(p->buf, p->cap);
		if (!p->buf)
			abort();
	}
	memcpy(p->buf + p->len, bytes, n);
	p->len += n;
	return (la_ssize_t)n;
}

struct ev_pack *ev_pack_new(void)
{
	struct ev_pack *p = calloc(1, sizeof *p);
	if (!p)
		abort();
	p->ar = archive_write_new();
	p->mtime = time(NULL);
	if (archive_write_set_format_pax_restricted(p->ar) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(p->ar, 1) != ARCHIVE_OK ||
	    archive_write_open(p->ar, p, NULL, on_write, NULL) != ARCHIVE_OK)
		p->failed = true;
	return p;
}

static void put(struct ev_pack *p, const char *name, const void *bytes, size_t len)
{
	if (p->failed)
		return;
	struct archive_entry *en = archive_entry_new();
	archive_entry_set_pathname(en, name);
	archive_entry_set_size(en, (la_int64_t)len);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0644);
	archive_entry_set_mtime(en, p->mtime, 0);
	if (archive_write_header(p->ar, en) != ARCHIVE_OK ||
	    (len && archive_write_data(p->ar, bytes, len) != (la_ssize_t)len))
		p->failed = true;
	archive_entry_free(en);
}

void ev_pack_add(struct ev_pack *p, const char *name, const void *bytes, size_t len)
{
	uint8_t h[32];
	char hex[65];
	crypto_hash_sha256(h, bytes, len);
	ev_hex(h, 32, hex);
	size_t need = strlen(name) + 64 + 4;
	if (p->mlen + need >= p->mcap) {
		p->mcap = (p->mcap + need) * 2;
		p->manifest = realloc(p->manifest, p->mcap);
		if (!p->manifest)
			abort();
	}
	p->mlen += (size_t)snprintf(p->manifest + p->mlen, p->mcap - p->mlen, "%s  %s\n", hex, name);
	put(p, name, bytes, len);
}

bool ev_pack_finish(struct ev_pack *p, const struct ev_key *key, void **out, size_t *len)
{
	char sig[300];
	const char *m = p->manifest ? p->manifest : "";
	ev_sign_line(key, m, p->mlen, sig, sizeof sig);
	put(p, "MANIFEST", m, p->mlen);
	put(p, "MANIFEST.sig", sig, strlen(sig));
	if (archive_write_close(p->ar) != ARCHIVE_OK)
		p->failed = true;
	archive_write_free(p->ar);
	bool ok = !p->failed;
	*out = ok ? p->buf : NULL;
	*len = ok ? p->len : 0;
	if (!ok)
		free(p->buf);
	free(p->manifest);
	free(p);
	return ok;
}

/* ---- verifying ------------------------------------------------------------- */

struct file {
	char *name;
	char *bytes; /* NUL-terminated copy */
	size_t len;
	bool listed;
};

struct files {
	struct file *v;
	int n, cap;
};

static struct file *find(struct files *fs, const char *name)
{
	for (int i = 0; i < fs->n; i++)
		if (strcmp(fs->v[i].name, name) == 0)
			return &fs->v[i];
	return NULL;
}

static void finding(FILE *report, struct ev_pack_result *res, bool fail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void finding(FILE *report, struct ev_pack_result *res, bool fail, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(report, "%s %s\n", fail ? "FAIL" : "note", msg);
	if (fail && !res->failures++)
		snprintf(res->first, sizeof res->first, "%s", msg);
}

#define MAX_FILE ((size_t)1 << 30)

static bool read_all(const char *path, struct files *fs, char *why, size_t whyn)
{
	struct archive *ar = archive_read_new();
	archive_read_support_format_tar(ar);
	archive_read_support_format_zip(ar);
	archive_read_support_filter_all(ar);
	bool ok = archive_read_open_filename(ar, path, 65536) == ARCHIVE_OK;
	if (!ok)
		snprintf(why, whyn, "not a readable archive: %s", archive_error_string(ar));
	struct archive_entry *en;
	int r;
	while (ok && (r = archive_read_next_header(ar, &en)) == ARCHIVE_OK) {
		if (archive_entry_filetype(en) != AE_IFREG)
			continue;
		la_int64_t size = archive_entry_size(en);
		if (size < 0 || (size_t)size > MAX_FILE) {
			snprintf(why, whyn, "%s is too large", archive_entry_pathname(en));
			ok = false;
			break;
		}
		if (fs->n == fs->cap) {
			fs->cap = fs->cap ? 2 * fs->cap : 32;
			fs->v = realloc(fs->v, sizeof *fs->v * (size_t)fs->cap);
			if (!fs->v)
				abort();
		}
		struct file *f = &fs->v[fs->n++];
		f->name = strdup(archive_entry_pathname(en));
		f->bytes = malloc((size_t)size + 1);
		f->len = 0;
		f->listed = false;
		if (!f->name || !f->bytes)
			abort();
		la_ssize_t got;
		while ((got = archive_read_data(ar, f->bytes + f->len, (size_t)size - f->len)) > 0)
			f->len += (size_t)got;
		f->bytes[f->len] = '\0';
		if (got < 0 || f->len != (size_t)size) {
			snprintf(why, whyn, "%s cannot be read whole", f->name);
			ok = false;
		}
	}
	if (ok && r != ARCHIVE_EOF) {
		snprintf(why, whyn, "the archive is damaged: %s", archive_error_string(ar));
		ok = false;
	}
	archive_read_free(ar);
	return ok;
}

static void check_manifest(struct files *fs, const struct ev_key *key, FILE *report, struct ev_pack_result *res)
{
	struct file *m = find(fs, "MANIFEST"), *sig = find(fs, "MANIFEST.sig");
	if (!m || !sig) {
		finding(report, res, true, "%s is missing: nothing says which files belong to the pack",
			m ? "MANIFEST.sig" : "MANIFEST");
		return;
	}
	m->listed = sig->listed = true;
	bool named;
	if (!ev_verify_line(key, m->bytes, m->len, sig->bytes, &named))
		finding(report, res, true, "MANIFEST: %s", named ? "its signature does not verify (the MANIFEST was altered)"
							   : "not signed by the trusted key");
	for (char *line = m->bytes, *end; *line; line = end + 1) {
		end = strchr(line, '\n');
		if (!end)
			break;
		*end = '\0';
		uint8_t want[32], got[32];
		const char *name = line + 66;
		if (strlen(line) < 67 || line[64] != ' ' || line[65] != ' ') {
			finding(report, res, true, "MANIFEST: a line is not \"<sha256>  <file>\"");
			*end = '\n';
			continue;
		}
		line[64] = '\0';
		struct file *f = find(fs, name);
		if (!ev_unhex(line, want, 32))
			finding(report, res, true, "MANIFEST: the hash of %s is not hex", name);
		else if (!f)
			finding(report, res, true, "%s is listed in the MANIFEST but missing from the pack", name);
		else {
			f->listed = true;
			crypto_hash_sha256(got, (const unsigned char *)f->bytes, f->len);
			if (memcmp(want, got, 32) != 0)
				finding(report, res, true, "%s: its SHA-256 does not match the MANIFEST (the file was altered)",
					name);
		}
		line[64] = ' ';
		*end = '\n';
	}
	for (int i = 0; i < fs->n; i++)
		if (!fs->v[i].listed)
			finding(report, res, true, "%s is in the pack but not in the MANIFEST (added)", fs->v[i].name);
}

static void check_documents(struct files *fs, FILE *report, struct ev_pack_result *res)
{
	struct file *d = find(fs, "documents.json");
	if (!d)
		return;
	json_t *list = json_loads(d->bytes, 0, NULL);
	size_t i;
	json_t *doc;
	if (!json_is_array(list))
		finding(report, res, true, "documents.json is not a JSON array");
	json_array_foreach(list, i, doc) {
		const char *path = json_string_value(json_object_get(doc, "path"));
		const char *sha = json_string_value(json_object_get(doc, "sha256"));
		struct file *f = path ? find(fs, path) : NULL;
		uint8_t want[32], got[32];
		if (!f || !sha || !ev_unhex(sha, want, 32)) {
			finding(report, res, true, "documents.json: entry %zu names no file of the pack with a SHA-256", i);
			continue;
		}
		crypto_hash_sha256(got, (const unsigned char *)f->bytes, f->len);
		if (memcmp(want, got, 32) != 0)
			finding(report, res, true, "%s: does not match the SHA-256 recorded when it was uploaded", path);
	}
	json_decref(list);
}

static void check_audit(struct files *fs, const struct ev_key *key, FILE *report, struct ev_pack_result *res)
{
	struct file *cpf = find(fs, "audit/checkpoint.txt"), *ents = find(fs, "audit/entries.jsonl");
	struct file *req = find(fs, "request.json");
	if (!cpf || !ents) {
		finding(report, res, true, "%s is missing", cpf ? "audit/entries.jsonl" : "audit/checkpoint.txt");
		return;
	}
	struct ev_checkpoint cp;
	bool valid, named;
	char why[160];
	if (!ev_checkpoint_open(cpf->bytes, key, &cp, &valid, &named, why, sizeof why)) {
		finding(report, res, true, "audit/checkpoint.txt is malformed: %s", why);
		return;
	}
	if (!valid)
		finding(report, res, true, "audit/checkpoint.txt: %s",
			named ? "its signature does not verify" : "not signed by the trusted key");
	res->tree_size = cp.size;
	json_t *rq = req ? json_loads(req->bytes, 0, NULL) : NULL;
	const char *request_id = json_string_value(json_object_get(rq, "id"));
	int line_no = 0;
	for (char *line = ents->bytes, *end; *line; line = end + 1) {
		end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		line_no++;
		json_t *o = json_loadb(line, n, 0, NULL);
		const char *entry = json_string_value(json_object_get(o, "entry"));
		json_t *idx = json_object_get(o, "log_index"), *proof = json_object_get(o, "inclusion_proof");
		json_t *parsed = entry ? json_loads(entry, 0, NULL) : NULL;
		const char *rid = json_string_value(json_object_get(parsed, "request_id"));
		if (json_is_null(proof)) {
			finding(report, res, false, "audit/entries.jsonl line %d: logged after the checkpoint; no proof yet",
				line_no);
		} else if (!entry || !parsed || !json_is_integer(idx) || !json_is_array(proof)) {
			finding(report, res, true, "audit/entries.jsonl line %d: not an audit entry with a proof", line_no);
		} else if (request_id && (!rid || strcmp(rid, request_id) != 0)) {
			finding(report, res, true, "audit/entries.jsonl line %d: the entry is not about this request", line_no);
		} else {
			uint8_t leaf[EV_HASH], path[EV_MAX_PROOF][EV_HASH];
			size_t k;
			json_t *h;
			bool good = json_array_size(proof) <= EV_MAX_PROOF;
			json_array_foreach(proof, k, h) {
				if (!good || !json_is_string(h) || !ev_unb64(json_string_value(h), path[k], EV_HASH))
					good = false;
			}
			ev_leaf_hash(entry, strlen(entry), leaf);
			if (!good || !ev_verify_inclusion((uint64_t)json_integer_value(idx), cp.size, leaf,
							  (const uint8_t(*)[EV_HASH])path, (int)json_array_size(proof),
							  cp.root))
				finding(report, res, true,
					"audit/entries.jsonl line %d (log index %lld): the inclusion proof does not verify "
					"against the checkpoint",
					line_no, (long long)json_integer_value(idx));
			else
				res->entries++;
		}
		json_decref(parsed);
		json_decref(o);
		if (!end)
			break;
	}
	json_decref(rq);
}

bool ev_pack_verify(const char *path, const struct ev_key *trusted, FILE *report, struct ev_pack_result *res,
		    char *why, size_t whyn)
{
	memset(res, 0, sizeof *res);
	struct files fs = {0};
	bool ok = read_all(path, &fs, why, whyn);
	struct ev_key own;
	const struct ev_key *key = trusted;
	if (ok && !key) {
		struct file *k = find(&fs, "audit/log-key.pub");
		if (!k || !ev_key_parse_public(&own, k->bytes)) {
			snprintf(why, whyn, "no --key given and the pack has no readable audit/log-key.pub");
			ok = false;
		} else {
			char id[9];
			ev_hex(own.id, 4, id);
			finding(report, res, false,
				"key taken from the pack itself (%s, key id %s): compare it with the published key", own.name,
				id);
			key = &own;
		}
	}
	if (ok) {
		res->files = fs.n;
		snprintf(res->key_name, sizeof res->key_name, "%s", key->name);
		check_manifest(&fs, key, report, res);
		check_documents(&fs, report, res);
		check_audit(&fs, key, report, res);
	}
	for (int i = 0; i < fs.n; i++) {
		free(fs.v[i].name);
		free(fs.v[i].bytes);
	}
	free(fs.v);
	return ok;
}
