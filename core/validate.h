/* validate.h — pure checks of input values shared by every resource.
 *
 * Each check returns bool and, on failure, adds a field error to e (kind
 * ERR_INVALID, code "request.invalid") naming the field, so a handler can
 * check all fields and report every bad one at once.
 */
#ifndef ALURD_CORE_VALIDATE_H
#define ALURD_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define VAL_PASSWORD_MIN 12  /* characters */
#define VAL_PASSWORD_MAX_BYTES 128 /* bytes, checked before any hashing */

/* A canonical lowercase UUID text (8-4-4-4-12 hex). No field error. */
bool val_is_uuid(const char *s);

/* Number of Unicode code points in valid UTF-8 s, or -1 when s is not
 * valid UTF-8 (overlong forms and surrogates refused). */
long val_utf8_len(const char *s);

/* Free text: valid UTF-8, 1..max code points (0..max when may_be_empty),
 * no control characters except \n, \t and \r when multiline. */
bool val_text(struct err *e, const char *field, const char *s, long max, bool may_be_empty, bool multiline);

/* 3..64 of [a-z0-9._-]. */
bool val_username(struct err *e, const char *field, const char *s);

/* NIP: exactly 18 digits. */
bool val_nip(struct err *e, const char *field, const char *s);

/* Password policy: at least VAL_PASSWORD_MIN characters, at most
 * VAL_PASSWORD_MAX bytes, valid UTF-8, not the username (any case), not one
 * repeated character. */
bool val_password(struct err *e, const char *field, const char *password, const char *username);

/* A calendar date YYYY-MM-DD that exists. */
bool val_date(struct err *e, const char *field, const char *s);

/* An RFC 3339 timestamp with an explicit offset: YYYY-MM-DDTHH:MM:SS,
 * optional fraction, then Z or +HH:MM / -HH:MM. */
bool val_timestamp(struct err *e, const char *field, const char *s);

#endif
