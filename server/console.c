/* console.c — serving the staff console (see console.h).
 *
 * The embedded files are prepared once at start: content type from the
 * extension, a strong ETag (the SHA-256 of the bytes, a different one for
 * the gzip copy), and a gzip copy of every text file it makes smaller, so a
 * request costs a look-up and no compression. index.html names its assets
 * as `/assets/__FP__/...`; the placeholder is replaced by the fingerprint
 * (16 hex digits of the hash of every file's name and bytes). With
 * ALURD_CONSOLE_DIR the same work is done per request from the folder (the
 * fingerprint is then `dev` and nothing is cached without revalidation).
 * The handler runs on the HTTP thread (API_TX_NONE): no database.
 *
 * Every answer carries the console's browser policy: a Content-Security-
 * Policy without inline script and with frame-ancestors 'none', nosniff
 * (set by the dispatcher on every response), Referrer-Policy and
 * X-Frame-Options.
 */
#include "server/console.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "api/input.h"

#define FP_PLACEHOLDER "__FP__"
#define MAX_DEV_FILE ((size_t)16 << 20)

static const char CSP[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
			  "font-src 'self'; connect-src 'self'; media-src 'self' blob:; object-src 'none'; "
			  "frame-src 'self' blob:; worker-src 'none'; base-uri 'none'; form-action 'self'; "
			  "frame-ancestors 'none'";

/* The first path segments of the console's client-side routes (console/app/
 * js/router.js names the same ones). */
static const char *const client_routes[] = {"masuk", "antrean", "permohonan", "dasbor", "admin", NULL};

struct asset {
	const char *name;
	const char *data;
	size_t len;
	const char *type;
	bool text;
	char etag[72];
	char *gz; /* malloc'd gzip copy, NULL when not smaller or not text */
	size_t gzlen;
	char gz_etag[76];
};

static bool g_enabled;
static char g_dir[PATH_MAX]; /* "" = embedded */
static struct asset *g_assets;
static size_t g_nassets;
static char *g_index;        /* index.html with the fingerprint in (embedded mode) */
static char g_fp[17] = "dev";

bool console_enabled(void)
{
	return g_enabled;
}

static const char *type_of(const char *name, bool *text)
{
	static const struct {
		const char *ext, *type;
		bool text;
	} types[] = {
		{".html", "text/html; charset=utf-8", true},
		{".js", "text/javascript; charset=utf-8", true},
		{".mjs", "text/javascript; charset=utf-8", true},
		{".css", "text/css; charset=utf-8", true},
		{".json", "application/json", true},
		{".svg", "image/svg+xml", true},
		{".txt", "text/plain; charset=utf-8", true},
		{".png", "image/png", false},
		{".jpg", "image/jpeg", false},
		{".ico", "image/x-icon", false},
		{".woff2", "font/woff2", false},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcasecmp(dot, types[i].ext) == 0) {
			*text = types[i].text;
			return types[i].type;
		}
	*text = false;
	return "application/octet-stream";
}

/* gzip of data (level 9 for the embedded copies, 6 per request); *out is
 * malloc'd. False when it would not be smaller. */
static bool gzip_bytes(const char *data, size_t len, int level, char **out, size_t *outlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	size_t cap = deflateBound(&zs, (uLong)len) + 64;
	char *buf = malloc(cap);
	if (!buf)
		abort();
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)buf;
	zs.avail_out = (uInt)cap;
	int rc = deflate(&zs, Z_FINISH);
	size_t n = cap - zs.avail_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END || n >= len) {
		free(buf);
		return false;
	}
	*out = buf;
	*outlen = n;
	return true;
}

static void etag_of(const char *data, size_t len, const char *suffix, char *out, size_t n)
{
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(d, (const unsigned char *)data, len);
	char hex[2 * 16 + 1];
	sodium_bin2hex(hex, sizeof hex, d, 16);
	snprintf(out, n, "\"%s%s\"", hex, suffix);
}

/* Copies data with every FP_PLACEHOLDER replaced by fp; malloc'd. */
static char *with_fingerprint(const char *data, size_t len, const char *fp, size_t *outlen)
{
	size_t pl = strlen(FP_PLACEHOLDER), fl = strlen(fp), count = 0;
	for (const char *p = data; (p = strstr(p, FP_PLACEHOLDER)); p += pl)
		count++;
	size_t n = len - count * pl + count * fl;
	char *out = malloc(n + 1), *w = out;
	if (!out)
		abort();
	const char *p = data, *q;
	while ((q = strstr(p, FP_PLACEHOLDER))) {
		memcpy(w, p, (size_t)(q - p));
		w += q - p;
		memcpy(w, fp, fl);
		w += fl;
		p = q + pl;
	}
	memcpy(w, p, (size_t)(data + len - p));
	out[n] = '\0';
	*outlen = n;
	return out;
}

static void asset_prepare(struct asset *a, int level)
{
	a->type = type_of(a->name, &a->text);
	etag_of(a->data, a->len, "", a->etag, sizeof a->etag);
	a->gz = NULL;
	if (a->text && gzip_bytes(a->data, a->len, level, &a->gz, &a->gzlen))
		etag_of(a->data, a->len, "-gz", a->gz_etag, sizeof a->gz_etag);
}

bool console_init(const struct config *cfg, struct err *e)
{
	console_cleanup();
	g_enabled = cfg->console;
	if (!g_enabled)
		return true;
	if (cfg->console_dir[0]) {
		char index[PATH_MAX + 16];
		if (!realpath(cfg->console_dir, g_dir))
			return err_set(e, ERR_INVALID, "config.console_dir", "ALURD_CONSOLE_DIR: %s: %s", cfg->console_dir,
				       strerror(errno));
		snprintf(index, sizeof index, "%s/index.html", g_dir);
		if (access(index, R_OK) != 0)
			return err_set(e, ERR_INVALID, "config.console_dir", "ALURD_CONSOLE_DIR: %s has no index.html",
				       cfg->console_dir);
		snprintf(g_fp, sizeof g_fp, "dev");
		return true;
	}
	g_dir[0] = '\0';
	/* the fingerprint: every name and its bytes */
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < console_embedded_count; i++) {
		crypto_hash_sha256_update(&st, (const unsigned char *)console_embedded[i].name,
					  strlen(console_embedded[i].name) + 1);
		crypto_hash_sha256_update(&st, (const unsigned char *)console_embedded[i].data, console_embedded[i].len);
	}
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&st, d);
	sodium_bin2hex(g_fp, sizeof g_fp, d, 8);
	g_nassets = console_embedded_count;
	g_assets = calloc(g_nassets ? g_nassets : 1, sizeof *g_assets);
	if (!g_assets)
		abort();
	for (size_t i = 0; i < g_nassets; i++) {
		struct asset *a = &g_assets[i];
		a->name = console_embedded[i].name;
		a->data = console_embedded[i].data;
		a->len = console_embedded[i].len;
		if (strcmp(a->name, "index.html") == 0) {
			g_index = with_fingerprint(a->data, a->len, g_fp, &a->len);
			a->data = g_index;
		}
		asset_prepare(a, 9);
	}
	return true;
}

void console_cleanup(void)
{
	for (size_t i = 0; i < g_nassets; i++)
		free(g_assets[i].gz);
	free(g_assets);
	free(g_index);
	g_assets = NULL;
	g_index = NULL;
	g_nassets = 0;
	g_enabled = false;
}

bool console_claims(const char *path)
{
	if (!g_enabled || path[0] != '/')
		return false;
	if (path[1] == '\0' || strncmp(path, "/assets/", 8) == 0)
		return true;
	size_t seg = strcspn(path + 1, "/");
	for (const char *const *r = client_routes; *r; r++)
		if (strlen(*r) == seg && strncmp(path + 1, *r, seg) == 0)
			return true;
	return false;
}

/* A file path under the folder is safe when no segment is empty, "." or
 * "..", or begins with a dot (no hidden files), and no NUL or backslash. */
static bool safe_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *s = name; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 0 || s[0] == '.')
			return false;
		s += n;
		if (*s == '/')
			s++;
	}
	return strchr(name, '\\') == NULL;
}

/* Reads name from the folder into a per-request asset (arena memory; the
 * gzip copy is moved into the arena too). False when there is no such file. */
static bool dev_asset(struct api_ctx *c, const char *name, struct asset *a)
{
	if (!safe_name(name))
		return false;
	char path[PATH_MAX + 512], real[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", g_dir, name);
	size_t dl = strlen(g_dir);
	if (!realpath(path, real) || strncmp(real, g_dir, dl) != 0 || real[dl] != '/')
		return false;
	int fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > MAX_DEV_FILE) {
		close(fd);
		return false;
	}
	size_t len = (size_t)sb.st_size, got = 0;
	char *buf = arena_alloc(c->arena, len + 1);
	while (got < len) {
		ssize_t k = read(fd, buf + got, len - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (got != len)
		return false;
	memset(a, 0, sizeof *a);
	a->name = arena_strdup(c->arena, name);
	a->data = buf;
	a->len = len;
	if (strcmp(name, "index.html") == 0) {
		size_t n;
		char *sub = with_fingerprint(buf, len, g_fp, &n);
		a->data = arena_strndup(c->arena, sub, n);
		a->len = n;
		free(sub);
	}
	asset_prepare(a, 6);
	if (a->gz) {
		char *gz = arena_alloc(c->arena, a->gzlen);
		memcpy(gz, a->gz, a->gzlen);
		free(a->gz);
		a->gz = gz;
	}
	return true;
}

static const struct asset *embedded_asset(const char *name)
{
	for (size_t i = 0; i < g_nassets; i++)
		if (strcmp(g_assets[i].name, name) == 0)
			return &g_assets[i];
	return NULL;
}

/* Whether Accept-Encoding allows gzip (a "gzip" or "*" coding without q=0). */
static bool accepts_gzip(const char *ae)
{
	bool star = false, gzip = false, gzip_named = false;
	for (const char *s = ae; s && *s;) {
		s += strspn(s, " \t,");
		size_t n = strcspn(s, ",");
		size_t tl = strcspn(s, " \t;,");
		bool zero = false;
		const char *q = memchr(s, ';', n);
		if (q) {
			const char *v = strstr(q, "q=");
			if (v && v < s + n) {
				double qv = strtod(v + 2, NULL);
				zero = qv <= 0.0;
			}
		}
		if (tl == 4 && strncasecmp(s, "gzip", 4) == 0) {
			gzip_named = true;
			gzip = !zero;
		} else if (tl == 1 && s[0] == '*') {
			star = !zero;
		}
		s += n;
	}
	return gzip || (!gzip_named && star);
}

/* If-None-Match lists etag (or is "*"). */
static bool none_match(const char *inm, const char *etag)
{
	if (!inm)
		return false;
	if (strcmp(inm, "*") == 0)
		return true;
	return strstr(inm, etag) != NULL;
}

static bool serve(struct api_ctx *c, struct err *e)
{
	const char *path = c->path;
	const char *name;
	bool immutable = false;
	if (strncmp(path, "/assets/", 8) == 0) {
		const char *fp = path + 8;
		const char *slash = strchr(fp, '/');
		if (!slash)
			return err_set(e, ERR_NOT_FOUND, "http.not_found", "No such resource.");
		immutable = !g_dir[0] && (size_t)(slash - fp) == strlen(g_fp) && strncmp(fp, g_fp, strlen(g_fp)) == 0;
		name = slash + 1;
		if (strcmp(name, "index.html") == 0)
			return err_set(e, ERR_NOT_FOUND, "http.not_found", "No such resource.");
	} else {
		name = "index.html";
	}
	struct asset dev;
	const struct asset *a;
	if (g_dir[0])
		a = dev_asset(c, name, &dev) ? &dev : NULL;
	else
		a = embedded_asset(name);
	if (!a)
		return err_set(e, ERR_NOT_FOUND, "http.not_found", "No such resource.");
	bool gz = a->gz && accepts_gzip(api_header(c, "Accept-Encoding"));
	const char *etag = gz ? a->gz_etag : a->etag;
	const char *cache = immutable ? "public, max-age=31536000, immutable" : "no-cache";
	if (none_match(api_header(c, "If-None-Match"), etag))
		api_reply_bytes(c, 304, NULL, NULL, 0);
	else if (gz)
		api_reply_bytes(c, 200, a->type, a->gz, a->gzlen);
	else
		api_reply_bytes(c, 200, a->type, a->data, a->len);
	if (gz && c->status == 200)
		api_set_header(c, "Content-Encoding", "gzip");
	if (a->gz)
		api_set_header(c, "Vary", "Accept-Encoding");
	api_set_header(c, "ETag", etag);
	api_set_header(c, "Cache-Control", cache);
	api_set_header(c, "Content-Security-Policy", CSP);
	api_set_header(c, "Referrer-Policy", "no-referrer");
	api_set_header(c, "X-Frame-Options", "DENY");
	api_set_header(c, "Cross-Origin-Opener-Policy", "same-origin");
	return true;
}

const struct route console_routes[] = {
	{"GET", "/*", serve, ACT_PUBLIC, API_TX_NONE, API_BODY_NONE, 0, api_any_query},
	{0},
};
