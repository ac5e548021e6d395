/* err.h — the one error type of alurd.
 *
 * Every fallible function returns bool and fills a caller-owned struct err.
 * The kind says how the failure is answered (core never knows HTTP: the one
 * mapping from kind to status lives in api/); the code is a stable,
 * machine-readable string clients may rely on ("request.invalid_transition");
 * detail is a human sentence safe to show the caller; `log` carries internal
 * context (SQLSTATE, libpq message) that goes to the log only, never to a
 * client. Field errors list each bad input field.
 */
#ifndef ALURD_CORE_ERR_H
#define ALURD_CORE_ERR_H

#include <stdbool.h>
#include <stddef.h>

enum err_kind {
	ERR_NONE = 0,
	ERR_INVALID,         /* bad input: 400 */
	ERR_UNAUTHENTICATED, /* no or bad credentials: 401 */
	ERR_FORBIDDEN,       /* authenticated, not allowed: 403 */
	ERR_NOT_FOUND,       /* 404 (also for records of another agency) */
	ERR_METHOD,          /* 405 */
	ERR_CONFLICT,        /* state does not allow it: 409 */
	ERR_PRECONDITION,    /* stale If-Match: 412 */
	ERR_PRECONDITION_REQUIRED, /* If-Match missing where required: 428 */
	ERR_TOO_LARGE,       /* 413 */
	ERR_URI_TOO_LONG,    /* 414 */
	ERR_HEADERS_TOO_LARGE, /* 431 */
	ERR_MEDIA_TYPE,      /* 415 */
	ERR_UNPROCESSABLE,   /* well-formed but semantically refused: 422 */
	ERR_TOO_MANY,        /* throttled: 429 */
	ERR_UNAVAILABLE,     /* dependency down: 503 */
	ERR_RETRY,           /* transient (serialization failure): caller retries */
	ERR_INTERNAL,        /* bug or unexpected failure: 500 */
};

#define ERR_MAX_FIELDS 16

struct err_field {
	char name[64];
	char code[48];
	char detail[160];
};

struct err {
	enum err_kind kind;
	char code[64];
	char detail[256];
	char log[512];
	int retry_after; /* seconds, for ERR_TOO_MANY and ERR_UNAVAILABLE; 0 = none */
	char location[128]; /* the path of the record a refusal points to (sent as
	                       Location, e.g. the request a used eoffice_ref names); "" = none */
	int nfields;
	struct err_field fields[ERR_MAX_FIELDS];
};

/* Resets e to "no error". */
void err_clear(struct err *e);

/* Records a failure and returns false, so a failing path is one line:
 *   return err_set(e, ERR_CONFLICT, "request.invalid_transition", "...");
 * detail is printf-formatted. If e already holds an error it is replaced. */
bool err_set(struct err *e, enum err_kind kind, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Adds internal context for the log (never shown to clients); returns false. */
bool err_log(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds one field error (ignored past ERR_MAX_FIELDS) and, when e holds no
 * error yet, makes it ERR_INVALID "request.invalid". Returns false. */
bool err_field(struct err *e, const char *field, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A stable name of the kind ("invalid", "conflict", ...). */
const char *err_kind_name(enum err_kind kind);

#endif
