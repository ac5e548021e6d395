/* authz.h — roles, actions and the principal (who is calling).
 *
 * The authorization table itself (which role may perform which action, and the
 * agency rule) lives in authz.c; handlers never compare roles themselves.
 */
#ifndef ALURD_CORE_AUTHZ_H
#define ALURD_CORE_AUTHZ_H

#include <stdbool.h>

enum role {
	ROLE_NONE = 0,
	ROLE_ADMIN,
	ROLE_KEPALA_DINAS,
	ROLE_SEKRETARIAT,
	ROLE_KABID_IAI,
	ROLE_KASI_AI,
	ROLE_TIM_SPBE,
	ROLE_PD,
	ROLE_INTEGRATION,
	ROLE_AUDITOR,
	ROLE_COUNT
};

/* What a route does, as the authorization table knows it. */
enum action {
	ACT_PUBLIC = 0,      /* no authentication needed */
	ACT_SELF_READ,       /* GET /me */
	ACT_SELF_PASSWORD,   /* change one's own password */
	ACT_AGENCY_READ,
	ACT_AGENCY_WRITE,
	ACT_USER_READ,
	ACT_USER_WRITE,
	ACT_CLIENT_READ,
	ACT_CLIENT_WRITE,
	ACT_REQUEST_READ,     /* requests, their timeline and audit trail */
	ACT_REQUEST_CREATE,
	ACT_REQUEST_EDIT,     /* edit a draft */
	ACT_REQUEST_ACT,      /* transitions; the workflow table decides which */
	ACT_DOCUMENT_READ,
	ACT_DOCUMENT_UPLOAD,
	ACT_DISPOSITION_READ,
	ACT_DISPOSITION_WRITE,
	ACT_DISPOSITION_RECEIPT,
	ACT_DISCUSSION_READ,
	ACT_DISCUSSION_WRITE,
	ACT_AGREEMENT_READ,   /* berita acara (and its PDF), surat tugas */
	ACT_BA_WRITE,         /* draft, edit and send the berita acara */
	ACT_BA_SIGN,
	ACT_ST_ISSUE,
	ACT_METRICS_READ,     /* /metrics when ALURD_METRICS_PUBLIC=false */
	ACT_SLA_READ,         /* overdue list, summaries, the policy */
	ACT_SLA_ADMIN,        /* publish a policy, manage holidays */
	ACT_CALENDAR_READ,
	ACT_WEBHOOK_ADMIN,    /* webhook subscriptions (a machine client: its own) */
	ACT_AUDIT_LOG_READ,   /* the Merkle log: checkpoints, proofs, the log export */
	ACT_AUDIT_CHECKPOINT, /* sign a checkpoint now */
	ACT_EVIDENCE_READ,    /* a request's evidence pack (agency rule applies) */
	ACT_SLA_REPORT,       /* the period report PDF */
	ACT_DIRECTORY_READ,   /* the people picker: active staff (pd: own agency and Kominfos officials) */
	ACT_QUEUE_READ,       /* GET /me/queue: what waits on the caller */
	ACT_AUDIT_READ,       /* the global audit trail */
	ACT_DELEGATION_READ,  /* Plh/Plt delegations (others than admin and auditor: their own) */
	ACT_DELEGATION_WRITE, /* create and revoke (others than admin: for a position they hold) */
	ACT_COUNT
};

struct principal {
	bool authenticated;
	enum role role;
	char subject[64];   /* user id (UUID) or machine client id */
	char agency_id[40]; /* empty when not bound to one agency */
	char jti[40];
	bool must_change_password; /* only /me and the password change allowed */
	long min_iat;              /* when issuing: never before this (epoch s), so a
	                              token issued right after a revocation is valid */
	bool subject_unverified;   /* the subject is newer than the account snapshot:
	                              it must be looked up before the token counts */
	long token_iat;            /* the token's iat, for that look-up */
};

/* True when role r may perform action a at all (the role x action table). */
bool authz_allowed(enum role r, enum action a);

/* The agency rule: true when p may see a record of agency_id. Callers bound
 * to one agency (pd users, agency-bound machine clients) see only their own
 * agency's records; everyone else sees all. A record the caller may not see
 * must be answered as not found, never as forbidden. */
bool authz_agency_visible(const struct principal *p, const char *agency_id);

/* How far a machine client's writes reach (clients.write_scope, set by an
 * admin): by default only the requests it submitted itself. */
enum client_scope {
	CLIENT_SCOPE_OWN = 0, /* "own": requests whose client is this client */
	CLIENT_SCOPE_VISIBLE, /* "visible": every request it may see (its agency's, or all) */
};
/* "own", "visible"; NULL out of range. */
const char *client_scope_name(enum client_scope s);
/* Parses a scope name; false when unknown. */
bool client_scope_parse(const char *s, enum client_scope *out);

/* Least privilege for machine clients: true when p may change (transition,
 * edit, attach to, complete) a request it can see whose submitting client is
 * request_client_id (NULL or "" for a request a person filed). People are
 * governed by the role table and the workflow alone (true). A machine client
 * may act on its own submissions, or on any visible request when an admin
 * granted it scope "visible". Reading is not affected. */
bool authz_may_act_on(const struct principal *p, enum client_scope scope, const char *request_client_id);

/* True when p is bound to one agency (its records only). */
bool authz_agency_bound(const struct principal *p);

/* Role key as used in JSON ("kepala_dinas"); NULL for ROLE_NONE/out of range. */
const char *role_name(enum role r);
/* Parses a role key; returns ROLE_NONE when unknown. */
enum role role_parse(const char *s);

#endif
