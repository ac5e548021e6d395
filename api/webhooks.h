/* webhooks.h — webhook subscriptions (routes in api/webhooks.c) and the
 * cryptography of their secrets, shared with the deliverer (server/).
 *
 * A signing secret is "whsec_" + base64 of 32 random bytes (the Standard
 * Webhooks form: the HMAC key is the decoded bytes). It is shown once, when
 * made; at rest it is sealed with libsodium's secretbox under
 * ALURD_SECRET_KEY (api_services.secret_key) and stored as nonce || box.
 */
#ifndef ALURD_API_WEBHOOKS_H
#define ALURD_API_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "api/api.h"

/* Opens a sealed secret (bytea text "\\x<hex>" as the database answers it)
 * into out (NUL-terminated "whsec_..."); false when it does not open under
 * the configured key (or no key is configured). */
bool api_webhook_secret_open(const char *box_text, char *out, size_t n);

/* The Standard Webhooks signature "v1,<base64 HMAC-SHA256>" of
 * "<id>.<timestamp>.<body>" with secret ("whsec_..."), into out. False
 * when the secret is malformed. */
bool api_webhook_sign(const char *secret, const char *id, long long timestamp, const char *body, char *out,
		      size_t n);

#endif
