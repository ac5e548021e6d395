/* config.c — parsing ALURD_* variables. Every number is range-checked and
 * every unknown value refused, so a typo stops the daemon at start instead of
 * running with a surprise. */
#include "server/config.h"

#include <sodium.h>

#include "core/numfmt.h"
#include "core/officehours.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static bool bad(char *msg, size_t n, const char *var, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool bad(char *msg, size_t n, const char *var, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	snprintf(msg, n, "%s: %s", var, why);
	return false;
}

bool config_parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon;
	size_t hl;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return false;
		hl = (size_t)(close - s - 1);
		s++;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return false;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostlen)
		return false;
	memcpy(host, s, hl);
	host[hl] = '\0';
	char *end;
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p < 0 || p > 65535 || !isdigit((unsigned char)colon[1]))
		return false;
	*port = (int)p;
	return true;
}

bool config_parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return false;
	unsigned long long mult = 1;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'K': mult = 1ULL << 10; break;
		case 'M': mult = 1ULL << 20; break;
		case 'G': mult = 1ULL << 30; break;
		default: return false;
		}
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			return false;
	}
	if (v > ULLONG_MAX / mult || v * mult > SIZE_MAX)
		return false;
	*out = (size_t)(v * mult);
	return true;
}

static bool get_int(config_getenv get, const char *var, int def, int lo, int hi, int *out, char *msg, size_t n)
{
	const char *s = get(var);
	if (!s || !*s) {
		*out = def;
		return true;
	}
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s)
		return bad(msg, n, var, "'%s' is not a whole number", s);
	if (v < lo || v > hi)
		return bad(msg, n, var, "%ld is out of range (%d..%d)", v, lo, hi);
	*out = (int)v;
	return true;
}

static bool get_size(config_getenv get, const char *var, size_t def, size_t lo, size_t hi, size_t *out, char *msg,
		     size_t n)
{
	const char *s = get(var);
	if (!s || !*s) {
		*out = def;
		return true;
	}
	size_t v;
	if (!config_parse_size(s, &v))
		return bad(msg, n, var, "'%s' is not a size (bytes, or a number with K, M or G)", s);
	if (v < lo || v > hi)
		return bad(msg, n, var, "%zu bytes is out of range (%zu..%zu)", v, lo, hi);
	*out = v;
	return true;
}

static bool get_bool(config_getenv get, const char *var, bool def, bool *out, char *msg, size_t n)
{
	const char *s = get(var);
	if (!s || !*s) {
		*out = def;
		return true;
	}
	if (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))
		*out = true;
	else if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))
		*out = false;
	else
		return bad(msg, n, var, "'%s' is not a boolean (true/false)", s);
	return true;
}

static bool get_string(config_getenv get, const char *var, const char *def, char *out, size_t outlen, char *msg,
		       size_t n)
{
	const char *s = get(var);
	if (!s || !*s)
		s = def;
	if (strlen(s) >= outlen)
		return bad(msg, n, var, "longer than %zu characters", outlen - 1);
	memcpy(out, s, strlen(s) + 1);
	return true;
}

static bool load_origins(struct config *c, config_getenv get, char *msg, size_t n)
{
	const char *var = "ALURD_CORS_ORIGINS";
	const char *s = get(var);
	c->n_origins = 0;
	if (!s)
		return true;
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		while (len && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		if (len) {
			if (c->n_origins >= CONFIG_MAX_ORIGINS)
				return bad(msg, n, var, "more than %d origins", CONFIG_MAX_ORIGINS);
			if (len >= sizeof c->origins[0])
				return bad(msg, n, var, "an origin is longer than %zu characters", sizeof c->origins[0] - 1);
			bool star = len == 1 && s[0] == '*';
			if (!star && !(len > 7 && (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8))))
				return bad(msg, n, var, "'%.*s' is not an origin like https://app.example.go.id or *", (int)len, s);
			if (!star && s[len - 1] == '/')
				return bad(msg, n, var, "'%.*s' must not end with '/'", (int)len, s);
			memcpy(c->origins[c->n_origins], s, len);
			c->origins[c->n_origins][len] = '\0';
			c->n_origins++;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	return true;
}

static bool load_log_level(struct config *c, config_getenv get, char *msg, size_t n)
{
	const char *s = get("ALURD_LOG_LEVEL");
	static const char *const names[] = {"debug", "info", "warn", "error"};
	c->log_level = LOG_INFO;
	if (!s || !*s)
		return true;
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			c->log_level = (enum log_level)i;
			return true;
		}
	return bad(msg, n, "ALURD_LOG_LEVEL", "'%s' is not one of debug, info, warn, error", s);
}

const char *config_log_level_name(enum log_level l)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	return (unsigned)l < 4 ? names[l] : "info";
}

static bool get_seconds(config_getenv get, const char *var, double def, double *out, char *msg, size_t n)
{
	const char *s = get(var);
	*out = def;
	if (!s || !*s)
		return true;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v))
		return bad(msg, n, var, "'%s' is not a number of seconds", s);
	if (v < 0.05 || v > 3600)
		return bad(msg, n, var, "%g is out of range (0.05..3600 seconds)", v);
	*out = v;
	return true;
}

static bool load_timer(struct config *c, config_getenv get, char *msg, size_t n)
{
	return get_seconds(get, "ALURD_TIMER_INTERVAL", 5.0, &c->timer_interval, msg, n);
}

static bool get_format(config_getenv get, const char *var, const char *def, char *out, size_t outlen, char *msg,
		       size_t n)
{
	if (!get_string(get, var, def, out, outlen, msg, n))
		return false;
	struct err e;
	err_clear(&e);
	if (!numfmt_check(out, &e))
		return bad(msg, n, var, "%s", e.detail);
	return true;
}

static bool load_timezone(struct config *c, config_getenv get, char *msg, size_t n)
{
	if (!get_string(get, "ALURD_TIMEZONE", "Asia/Makassar", c->timezone, sizeof c->timezone, msg, n))
		return false;
	size_t len = strlen(c->timezone);
	if (strspn(c->timezone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") != len ||
	    strstr(c->timezone, "..") || c->timezone[0] == '/')
		return bad(msg, n, "ALURD_TIMEZONE", "'%s' is not an IANA zone name like Asia/Makassar", c->timezone);
	return true;
}

static bool load_office_hours(struct config *c, config_getenv get, char *msg, size_t n)
{
	if (!get_string(get, "ALURD_OFFICE_HOURS", "mon-fri 08:00-16:00", c->office_hours, sizeof c->office_hours, msg,
			n))
		return false;
	struct cal_hours hours[7];
	struct err e;
	err_clear(&e);
	if (!officehours_parse(c->office_hours, hours, &e))
		return bad(msg, n, "ALURD_OFFICE_HOURS", "%s", e.detail);
	return true;
}

static bool load_trusted_proxies(struct config *c, config_getenv get, char *msg, size_t n)
{
	char why[160];
	if (!cidr_list_parse(get("ALURD_TRUSTED_PROXIES"), &c->trusted_proxies, why, sizeof why))
		return bad(msg, n, "ALURD_TRUSTED_PROXIES", "%s", why);
	return true;
}

static bool load_listen(struct config *c, config_getenv get, char *msg, size_t n)
{
	const char *s = get("ALURD_LISTEN");
	if (!s || !*s)
		s = "127.0.0.1:8080";
	if (!config_parse_listen(s, c->listen_host, sizeof c->listen_host, &c->listen_port))
		return bad(msg, n, "ALURD_LISTEN", "'%s' is not host:port (e.g. 0.0.0.0:8080 or [::1]:8080)", s);
	return true;
}

static bool load_alg(struct config *c, config_getenv get, char *msg, size_t n)
{
	const char *s = get("ALURD_JWT_ALG");
	if (!s || !*s)
		s = "HS256";
	if (strcmp(s, "HS256") && strcmp(s, "RS256") && strcmp(s, "ES256"))
		return bad(msg, n, "ALURD_JWT_ALG", "'%s' is not one of HS256, RS256, ES256", s);
	snprintf(c->jwt_alg, sizeof c->jwt_alg, "%s", s);
	return true;
}

static bool load_secret(struct config *c, config_getenv get, char *msg, size_t n)
{
	const char *s = get("ALURD_JWT_SECRET");
	c->jwt_secret_len = s ? strlen(s) : 0;
	if (c->jwt_secret_len >= sizeof c->jwt_secret)
		return bad(msg, n, "ALURD_JWT_SECRET", "longer than %zu bytes", sizeof c->jwt_secret - 1);
	if (c->jwt_secret_len && c->jwt_secret_len < 32)
		return bad(msg, n, "ALURD_JWT_SECRET", "only %zu bytes; an HS256 secret needs at least 32",
			   c->jwt_secret_len);
	memcpy(c->jwt_secret, s ? s : "", c->jwt_secret_len + 1);
	return true;
}

/* ALURD_SECRET_KEY: 32 bytes in base64 (standard or URL-safe), optional. */
static bool load_secret_key(struct config *c, config_getenv get, char *msg, size_t n)
{
	const char *var = "ALURD_SECRET_KEY";
	const char *s = get(var);
	c->has_secret_key = false;
	if (!s || !*s)
		return true;
	size_t len = 0;
	if ((sodium_base642bin(c->secret_key, sizeof c->secret_key, s, strlen(s), NULL, &len, NULL,
			       sodium_base64_VARIANT_ORIGINAL) != 0 &&
	     sodium_base642bin(c->secret_key, sizeof c->secret_key, s, strlen(s), NULL, &len, NULL,
			       sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) ||
	    len != sizeof c->secret_key)
		return bad(msg, n, var, "is not 32 bytes in base64 (make one with: openssl rand -base64 32)");
	c->has_secret_key = true;
	return true;
}

/* ALURD_WEBHOOK_RETRY_SCHEDULE (test-only): comma-separated delays in
 * seconds that replace the Standard Webhooks schedule. */
static bool load_schedule(struct config *c, config_getenv get, char *msg, size_t n)
{
	const char *var = "ALURD_WEBHOOK_RETRY_SCHEDULE";
	const char *s = get(var);
	c->retry_schedule_len = 0;
	if (!s || !*s)
		return true;
	while (*s) {
		char *end;
		errno = 0;
		double v = strtod(s, &end);
		if (errno || end == s || !isfinite(v) || v < 0 || v > 86400 ||
		    c->retry_schedule_len == CONFIG_MAX_RETRIES || (*end && *end != ','))
			return bad(msg, n, var, "is not a list of at most %d delays in seconds (0..86400)",
				   CONFIG_MAX_RETRIES);
		c->retry_schedule[c->retry_schedule_len++] = v;
		s = *end ? end + 1 : end;
	}
	return true;
}

static bool load_webhooks(struct config *c, config_getenv get, char *msg, size_t n)
{
	const char *var = "ALURD_WEBHOOK_POLL";
	const char *s = get(var);
	c->webhook_poll = 1.0;
	if (s && *s) {
		char *end;
		errno = 0;
		double v = strtod(s, &end);
		if (errno || *end || end == s || !isfinite(v) || v < 0.01 || v > 60)
			return bad(msg, n, var, "'%s' is not a number of seconds (0.01..60)", s);
		c->webhook_poll = v;
	}
	return load_secret_key(c, get, msg, n) && load_schedule(c, get, msg, n) &&
	       get_int(get, "ALURD_WEBHOOK_WORKERS", 4, 0, 64, &c->webhook_workers, msg, n) &&
	       get_int(get, "ALURD_WEBHOOK_TIMEOUT", 15, 1, 300, &c->webhook_timeout, msg, n) &&
	       get_int(get, "ALURD_WEBHOOK_PER_ENDPOINT", 2, 1, 64, &c->webhook_per_endpoint, msg, n) &&
	       get_int(get, "ALURD_WEBHOOK_DISABLE_AFTER", 5 * 86400, 60, 365 * 86400, &c->webhook_disable_after,
		       msg, n) &&
	       get_int(get, "ALURD_WEBHOOK_ROTATION_OVERLAP", 86400, 0, 30 * 86400, &c->webhook_rotation_overlap, msg,
		       n) &&
	       get_int(get, "ALURD_WEBHOOK_MAX", 100, 1, 10000, &c->webhook_max, msg, n) &&
	       get_bool(get, "ALURD_WEBHOOK_ALLOW_HTTP", false, &c->webhook_allow_http, msg, n) &&
	       get_bool(get, "ALURD_DELEGATE_SIGNS_OWN_DRAFT", false, &c->delegate_signs_own_draft, msg, n) &&
	       get_bool(get, "ALURD_WEBHOOK_ALLOW_PRIVATE", false, &c->webhook_allow_private, msg, n);
}

bool config_load(struct config *c, config_getenv get, char *msg, size_t n)
{
	memset(c, 0, sizeof *c);
	return get_string(get, "ALURD_DATABASE_URL", "postgresql:///alurd", c->database_url, sizeof c->database_url,
			  msg, n) &&
	       get_string(get, "ALURD_DATABASE_READ_URL", "", c->database_read_url, sizeof c->database_read_url, msg,
			  n) &&
	       load_listen(c, get, msg, n) &&
	       get_int(get, "ALURD_THREADS", 8, 1, 256, &c->threads, msg, n) &&
	       get_int(get, "ALURD_HTTP_THREADS", 1, 1, 64, &c->http_threads, msg, n) &&
	       load_secret(c, get, msg, n) &&
	       load_alg(c, get, msg, n) &&
	       get_string(get, "ALURD_JWT_PRIVATE_KEY", "", c->jwt_private_key, sizeof c->jwt_private_key, msg, n) &&
	       get_string(get, "ALURD_JWT_PUBLIC_KEY", "", c->jwt_public_key, sizeof c->jwt_public_key, msg, n) &&
	       get_string(get, "ALURD_JWT_ISSUER", "alurd", c->jwt_issuer, sizeof c->jwt_issuer, msg, n) &&
	       get_string(get, "ALURD_JWT_AUDIENCE", "alurd-api", c->jwt_audience, sizeof c->jwt_audience, msg, n) &&
	       get_int(get, "ALURD_JWT_SKEW", 30, 0, 600, &c->jwt_skew, msg, n) &&
	       get_int(get, "ALURD_ACCESS_TTL", 900, 30, 86400, &c->access_ttl, msg, n) &&
	       get_int(get, "ALURD_REFRESH_TTL", 14 * 86400, 300, 365 * 86400, &c->refresh_ttl, msg, n) &&
	       get_int(get, "ALURD_AUTH_REFRESH", 60, 1, 3600, &c->auth_refresh, msg, n) &&
	       get_int(get, "ALURD_HASH_CONCURRENCY", 2, 1, 64, &c->hash_concurrency, msg, n) &&
	       get_int(get, "ALURD_LOGIN_MAX_FAILURES", 5, 1, 100, &c->login_max_failures, msg, n) &&
	       get_int(get, "ALURD_LOGIN_MAX_FAILURES_PER_ADDRESS", 20, 1, 100000, &c->login_max_failures_per_address,
		       msg, n) &&
	       get_int(get, "ALURD_EVENT_RETENTION", 90, 1, 36500, &c->event_retention_days, msg, n) &&
	       load_log_level(c, get, msg, n) &&
	       get_size(get, "ALURD_MAX_BODY", 1 << 20, 1024, (size_t)64 << 20, &c->max_body, msg, n) &&
	       get_size(get, "ALURD_MAX_UPLOAD", (size_t)20 << 20, 1024, (size_t)1 << 30, &c->max_upload, msg, n) &&
	       load_origins(c, get, msg, n) &&
	       get_int(get, "ALURD_HTTP_TIMEOUT", 30, 1, 3600, &c->http_timeout, msg, n) &&
	       get_int(get, "ALURD_HTTP_HEADER_TIMEOUT", 10, 1, 3600, &c->header_timeout, msg, n) &&
	       get_int(get, "ALURD_HTTP_BODY_TIMEOUT", 60, 1, 86400, &c->body_timeout, msg, n) &&
	       load_trusted_proxies(c, get, msg, n) &&
	       get_int(get, "ALURD_PER_IP_LIMIT", 64, 1, 100000, &c->per_ip_limit, msg, n) &&
	       get_int(get, "ALURD_CONNECTION_LIMIT", 1024, 1, 100000, &c->connection_limit, msg, n) &&
	       get_int(get, "ALURD_SHUTDOWN_TIMEOUT", 10, 0, 3600, &c->shutdown_timeout, msg, n) &&
	       get_int(get, "ALURD_DB_STATEMENT_TIMEOUT", 30000, 0, 3600000, &c->statement_timeout_ms, msg, n) &&
	       load_timer(c, get, msg, n) &&
	       load_timezone(c, get, msg, n) &&
	       get_string(get, "ALURD_ZONEINFO", "/usr/share/zoneinfo", c->zoneinfo, sizeof c->zoneinfo, msg, n) &&
	       load_office_hours(c, get, msg, n) &&
	       get_string(get, "ALURD_ORGANISATION", "Dinas Komunikasi, Informatika dan Statistik Provinsi Bali",
			  c->organisation, sizeof c->organisation, msg, n) &&
	       get_string(get, "ALURD_LETTERHEAD",
			  "PEMERINTAH PROVINSI BALI|DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK|"
			  "Jl. D.I. Panjaitan No. 7, Niti Mandala, Denpasar",
			  c->letterhead, sizeof c->letterhead, msg, n) &&
	       get_format(get, "ALURD_AGENDA_FORMAT", "{seq:4}/AGENDA/D.KOMINFOS/{year}", c->agenda_format,
			  sizeof c->agenda_format, msg, n) &&
	       get_format(get, "ALURD_BA_NUMBER_FORMAT", "050/{seq:3}/BA/IAI/D.KOMINFOS/{year}", c->ba_number_format,
			  sizeof c->ba_number_format, msg, n) &&
	       get_format(get, "ALURD_ST_NUMBER_FORMAT", "800/{seq:3}/ST/D.KOMINFOS/{year}", c->st_number_format,
			  sizeof c->st_number_format, msg, n) &&
	       get_bool(get, "ALURD_MIGRATE_ON_START", false, &c->migrate_on_start, msg, n) &&
	       get_bool(get, "ALURD_METRICS_PUBLIC", true, &c->metrics_public, msg, n) &&
	       get_bool(get, "ALURD_CONSOLE", true, &c->console, msg, n) &&
	       get_string(get, "ALURD_CONSOLE_DIR", "", c->console_dir, sizeof c->console_dir, msg, n) &&
	       load_webhooks(c, get, msg, n) &&
	       get_string(get, "ALURD_AUDIT_KEY", "", c->audit_key, sizeof c->audit_key, msg, n) &&
	       get_string(get, "ALURD_AUDIT_ORIGIN", "", c->audit_origin, sizeof c->audit_origin, msg, n) &&
	       get_seconds(get, "ALURD_AUDIT_SEQUENCE_INTERVAL", 1.0, &c->audit_sequence_interval, msg, n) &&
	       get_int(get, "ALURD_AUDIT_CHECKPOINT_INTERVAL", 600, 0, 86400, &c->audit_checkpoint_interval, msg, n);
}
