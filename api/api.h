/* api.h — what a handler sees: the request context, route rows and the
 * response helpers.
 *
 * api/ never sees libmicrohttpd. The server copies everything a handler may
 * read (path parameters, query arguments, headers, the body) into a
 * `struct api_ctx` whose memory is the request's arena, runs the handler on a
 * worker thread, and turns the response fields back into HTTP. A handler reads
 * parse -> authorise -> core -> db -> render and either fills the response
 * with one of the api_reply_* helpers and returns true, or returns false with
 * the struct err filled; the dispatcher renders errors (problem+json) in one
 * place, so handlers never format an error answer themselves.
 */
#ifndef ALURD_API_API_H
#define ALURD_API_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/authz.h"
#include "core/calendar.h"
#include "core/err.h"

#define API_MAX_PARAMS 4
#define API_MAX_OUT_HEADERS 12

struct api_ctx;
struct ev_key;
typedef bool (*api_handler)(struct api_ctx *c, struct err *e);

enum api_tx {
	API_TX_NONE,  /* no database at all (runs on the HTTP thread) */
	API_TX_READ,  /* database reads, no transaction: one round trip */
	API_TX_WRITE, /* one transaction, committed iff the handler succeeds */
	API_TX_REPORT, /* a heavy read-only report: as API_TX_READ, but on the read
			* replica when ALURD_DATABASE_READ_URL is set (db_unit_start_report);
			* its answer says how current it is (as_of) */
};

enum api_body {
	API_BODY_NONE, /* a body is refused with 415 */
	API_BODY_JSON, /* application/json, parsed into c->json (may be absent) */
	API_BODY_RAW,  /* any type; the handler checks c->content_type */
	API_BODY_TOKEN, /* an OAuth 2.0 token endpoint (RFC 6749): application/json or
	                   application/x-www-form-urlencoded, either parsed into
	                   c->json (a form as an object of strings); its problems also
	                   carry RFC 6749's `error` and `error_description` */
};

/* A route is a row of data; every resource file exports a table of them
 * ending with a zeroed row. */
struct route {
	const char *method;
	const char *path;
	api_handler handler;
	enum action action;   /* ACT_PUBLIC: no authentication */
	enum api_tx tx;
	enum api_body body;
	size_t body_limit;    /* 0: the configured ALURD_MAX_BODY */
	const char *const *query; /* the query arguments it reads (NULL-ended); NULL: none */
};

struct api_kv {
	const char *key;
	const char *value;
};

struct api_ctx {
	struct arena *arena;
	const char *request_id;
	const char *method;
	const char *path;
	const struct route *route;
	const char *params[API_MAX_PARAMS]; /* path parameters, template order */
	int nparams;
	const struct api_kv *query;
	int nquery;
	const struct api_kv *headers;
	int nheaders;
	const char *body; /* raw body (NUL-terminated copy), NULL if none */
	size_t body_len;
	const char *body_sha256; /* hex SHA-256 of the body, hashed as it arrived */
	const char *content_type;
	const char *client_addr; /* numeric address of the peer */
	bool commit_on_error;    /* keep the transaction's writes even when refusing
	                            (e.g. the audit row and counter of a failed login) */
	const char *replay_body; /* what an Idempotency-Key replay answers instead of
	                            the body, when the body holds a secret */
	json_t *json;     /* parsed JSON body, owned by the server */
	struct principal who;
	/* long-poll: the server sets may_park; a handler with nothing to answer
	 * yet may set park_ms (how long the client is willing to wait) and reply
	 * nothing. The server then parks the request, its connection suspended,
	 * and runs it again when the event feed moves, or at the deadline with
	 * may_park false (server/feed.h). */
	bool may_park;
	int park_ms;
	/* acting for a position under a delegation (the Delegation-Id header,
	 * api/delegations.c): who.role (and for a Kepala PD who.agency_id) are
	 * then the position's, who.subject stays the person acting */
	struct api_acting {
		const char *delegation_id; /* NULL: acting as oneself */
		const char *position, *kind, *principal_id, *agency_id; /* principal_id NULL: a vacant post */
		const char *principal;    /* the principal as a person object (JSON text), NULL when vacant */
		unsigned acts;            /* enum deleg_act bits lent */
	} acting;

	/* response, filled by exactly one api_reply_* call */
	int status;
	json_t *out;              /* owned; rendered compact */
	const char *out_type;     /* content type for out_bytes */
	const void *out_bytes;    /* must live as long as the arena */
	size_t out_len;
	struct api_kv out_headers[API_MAX_OUT_HEADERS];
	int nout_headers;
};

/* The single mapping from error kind to HTTP status. */
int api_status_for(enum err_kind kind);

/* Builds the RFC 9457 problem document for e (new reference). */
json_t *api_problem_new(const struct err *e, int status, const char *request_id);
/* Adds RFC 6749 §5.2's `error` and `error_description` to problem p (of
 * e, answered with status) for a token endpoint: invalid_client for a
 * failed client authentication, unsupported_grant_type, invalid_request for
 * other bad input, temporarily_unavailable (429, 503), server_error (500). */
void api_problem_add_oauth(json_t *p, const struct err *e, int status);

/* Query argument / request header (case-insensitive name), or NULL. */
const char *api_query(const struct api_ctx *c, const char *key);
const char *api_header(const struct api_ctx *c, const char *name);

/* Responses. api_reply_json takes ownership of body (NULL: no body). */
void api_reply_json(struct api_ctx *c, int status, json_t *body);
/* Passes JSON text through unparsed (it is copied into the arena). */
void api_reply_json_text(struct api_ctx *c, int status, const char *text);
void api_reply_bytes(struct api_ctx *c, int status, const char *type, const void *bytes, size_t len);
/* Adds a response header; name and value are copied into the arena. */
void api_set_header(struct api_ctx *c, const char *name, const char *value);

/* Services the server provides to handlers, set once at start-up (api/
 * cannot include server/). issue_access signs an access token for p;
 * the token string is malloc'd: free() it. */
struct api_services {
	bool (*issue_access)(const struct principal *p, char **token, long *expires_in, struct err *e);
	int refresh_ttl;        /* seconds a refresh token lives */
	int login_max_failures; /* failed logins of one account before throttling starts */
	int login_max_failures_per_address; /* and from one client address */
	int hash_concurrency;   /* password hashes computed at once */
	int threads;            /* worker threads (hashing may hold at most half) */
	const char *timezone;   /* IANA zone for numbering years */
	const char *agenda_format, *ba_number_format, *st_number_format;
	struct calendar calendar; /* zone and office hours; holidays come from the database */
	const char *organisation; /* printed as the first party */
	const char *letterhead;   /* lines separated by '|' */
	const unsigned char *secret_key; /* ALURD_SECRET_KEY (32 bytes), NULL when unset */
	bool webhook_allow_http;         /* ALURD_WEBHOOK_ALLOW_HTTP */
	bool delegate_signs_own_draft;   /* ALURD_DELEGATE_SIGNS_OWN_DRAFT */
	int webhook_max;                 /* subscriptions at most */
	int webhook_rotation_overlap;    /* seconds an old secret keeps signing */
	const struct ev_key *audit_key; /* signs checkpoints and evidence manifests; NULL: none */
	const char *audit_origin;       /* the first line of every checkpoint */
};
extern struct api_services api_services;

/* The route tables of every resource file, listed in api/routes.c. */
extern const struct route *const api_route_tables[];

#endif
