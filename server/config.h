/* config.h — the daemon's configuration, read from ALURD_* environment
 * variables (see README "Configuration" for every variable and default).
 *
 * config_load is pure: it reads through a lookup function so tests can feed
 * any environment. A bad value fails with one line naming the variable.
 */
#ifndef ALURD_SERVER_CONFIG_H
#define ALURD_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cidr.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

#define CONFIG_MAX_ORIGINS 16
#define CONFIG_MAX_RETRIES 16

struct config {
	char database_url[1024];
	char database_read_url[1024]; /* "" = no replica: reports read the primary */
	char listen_host[256];
	int listen_port;
	int threads;            /* worker threads = database connections */
	int http_threads;       /* libmicrohttpd event threads */
	char jwt_secret[512];
	size_t jwt_secret_len;
	char jwt_alg[8];            /* HS256 | RS256 | ES256 */
	char jwt_private_key[512];  /* PEM file (RS256/ES256) that signs alurd's tokens */
	char jwt_public_key[512];   /* PEM file (RS256/ES256) that verifies them */
	char jwt_issuer[256];
	char jwt_audience[256];
	int jwt_skew;               /* seconds of clock skew tolerated */
	int access_ttl;             /* seconds */
	int refresh_ttl;            /* seconds */
	int auth_refresh;           /* seconds between account snapshots */
	int hash_concurrency;       /* password hashes computed at once */
	int login_max_failures;     /* per account, before throttling */
	int login_max_failures_per_address; /* per client address, before throttling */
	enum log_level log_level;
	size_t max_body;        /* JSON bodies */
	size_t max_upload;      /* document uploads */
	int n_origins;
	char origins[CONFIG_MAX_ORIGINS][256]; /* "*" allows any */
	int http_timeout;       /* seconds a connection may sit idle */
	int header_timeout;     /* seconds a request's line and headers may take */
	int body_timeout;       /* seconds a request's body may take */
	struct cidr_list trusted_proxies; /* peers whose X-Forwarded-For is believed */
	int per_ip_limit;       /* connections per client address */
	int connection_limit;   /* connections in all */
	int shutdown_timeout;   /* seconds to let in-flight requests finish */
	int statement_timeout_ms;
	double timer_interval;  /* seconds */
	int event_retention_days; /* events older than this are pruned */
	char organisation[200];  /* the agency running the SOP, as printed */
	char letterhead[600];    /* letterhead lines separated by '|' */
	char timezone[64];      /* IANA zone of the business calendar and numbering */
	char zoneinfo[256];     /* directory of the TZif files */
	char office_hours[200]; /* e.g. "mon-fri 08:00-16:00" */
	char agenda_format[128];
	char ba_number_format[128];
	char st_number_format[128];
	bool migrate_on_start;
	bool metrics_public;
	bool console;               /* ALURD_CONSOLE: serve the staff console at / */
	char console_dir[512];      /* ALURD_CONSOLE_DIR: serve it from here, not the embedded copy */
	/* webhooks */
	unsigned char secret_key[32]; /* ALURD_SECRET_KEY, seals webhook secrets */
	bool has_secret_key;
	int webhook_workers;          /* delivery threads (0: this instance delivers nothing) */
	int webhook_timeout;          /* seconds per attempt (connect and total) */
	int webhook_per_endpoint;     /* attempts in flight per subscription */
	double webhook_poll;          /* seconds between looks for due deliveries */
	int webhook_disable_after;    /* seconds of failing everything before disabling */
	int webhook_rotation_overlap; /* seconds an old secret keeps signing */
	int webhook_max;              /* subscriptions at most */
	bool webhook_allow_http;      /* accept http:// URLs */
	bool delegate_signs_own_draft; /* a Plh/Plt may sign a Berita Acara they drafted */
	bool webhook_allow_private;   /* deliver to loopback/private addresses */
	double retry_schedule[CONFIG_MAX_RETRIES]; /* test-only override; len 0: the standard one */
	int retry_schedule_len;
	char audit_key[512];        /* file holding the Ed25519 signer key; "" = none */
	char audit_origin[128];     /* checkpoint origin line; "" = the key's name */
	double audit_sequence_interval;   /* seconds between sequencer runs */
	int audit_checkpoint_interval;    /* seconds between checkpoints; 0 = on demand only */
};

typedef const char *(*config_getenv)(const char *name);

/* Fills c from the environment (defaults for unset variables). On a bad value
 * returns false with a one-line message naming the variable in msg. */
bool config_load(struct config *c, config_getenv get, char *msg, size_t msglen);

/* Parses "host:port" or "[v6]:port"; false when malformed. */
bool config_parse_listen(const char *s, char *host, size_t hostlen, int *port);

/* Parses a byte size: "1048576", "64k", "20M", "1G" (binary units). */
bool config_parse_size(const char *s, size_t *out);

/* Returns "debug", "info", ... */
const char *config_log_level_name(enum log_level l);

#endif
