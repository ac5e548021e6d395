/* urlform.h — application/x-www-form-urlencoded, as the OAuth 2.0 token
 * endpoint receives it (RFC 6749 §4.4.2, appendix B) and as HTTP Basic
 * client credentials are encoded before base64 (§2.3.1).
 *
 * Pure functions over caller buffers: the decoded text is never longer than
 * the encoded one, so a buffer of the input's length plus one always fits.
 * A malformed escape, an encoded NUL or a parameter without '=' is refused
 * rather than guessed at; so is a parameter named twice (RFC 6749 §3.2:
 * parameters MUST NOT be included more than once).
 */
#ifndef ALURD_CORE_URLFORM_H
#define ALURD_CORE_URLFORM_H

#include <stdbool.h>
#include <stddef.h>

/* Decodes in[0..n) ('+' is a space, %XX a byte) into out, NUL-terminated;
 * out must hold n + 1 bytes. Returns the decoded length, or (size_t)-1 for
 * a malformed escape or an encoded NUL. */
size_t urlform_decode(const char *in, size_t n, char *out);

struct urlform_pair {
	const char *key, *value; /* point into the caller's buffer */
};

/* Splits body[0..len) at '&' and '=' and decodes each part into buf (which
 * must hold len + 1 bytes). Fills pairs[0..*n) (at most max). Empty parts
 * ("a=1&&b=2") are skipped. Returns false, with *bad naming the reason
 * (static text), for a malformed escape, a part without '=', an empty name,
 * a name given twice, or more than max parameters. */
bool urlform_parse(const char *body, size_t len, char *buf, struct urlform_pair *pairs, size_t max, size_t *n,
		   const char **bad);

#endif
