/* auth.h — authenticating callers (JWT) and asking the authorization table.
 *
 * Tokens are verified without a database round trip: signature with the
 * pinned algorithm, then every claim by hand (libjwt 1.10 checks none), then
 * the subject against an in-memory snapshot of accounts that a background
 * thread refreshes (so a deactivated, re-roled or moved account stops working
 * within a second, when the change is announced (server/changes.c), and within
 * ALURD_AUTH_REFRESH seconds in any case).
 */
#ifndef ALURD_SERVER_AUTH_H
#define ALURD_SERVER_AUTH_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/authz.h"
#include "core/err.h"
#include "server/config.h"

/* Loads keys and settings (ALURD_JWT_*); refuses weak or missing keys. */
bool auth_init(const struct config *cfg, struct err *e);
void auth_cleanup(void);
/* The account-snapshot refresher thread; start waits (at most 2 s) for the
 * first snapshot. */
void auth_start_background(void);
void auth_stop_background(void);
/* Asks the background thread to take a fresh snapshot now. */
void auth_snapshot_kick(void);
/* On a worker (it queries the database): a principal whose subject the
 * snapshot did not hold is looked up; refused unless the account exists and
 * agrees with the token (active, role, agency, not revoked). No-op for the
 * rest. */
bool auth_verify_subject(struct principal *p, struct err *e);

/* Verifies "Bearer <jwt>" and fills p. ERR_UNAUTHENTICATED on any defect. */
bool auth_authenticate(const char *authorization, struct principal *p, struct err *e);
/* Asks the authorization table whether p may perform the action at all
 * (the per-record agency rule is applied by the handler via core/authz). */
bool auth_authorize(const struct principal *p, enum action a, struct err *e);
/* The WWW-Authenticate value for a 401 carrying e. */
const char *auth_challenge(const struct err *e, struct arena *a);

#endif
