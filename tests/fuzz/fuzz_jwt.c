/* fuzz_jwt.c — access tokens as server/auth.c receives them in the
 * Authorization header, through its one public entry point
 * (auth_authenticate): the header form and the compact-JWT shape check, the
 * verified-token cache, libjwt's decoding and algorithm check, and the claim
 * parsing (exp/iat/nbf, iss, aud as string or array, sub/role/jti,
 * agency_id, mcp). Fuzzed claims would never get past the signature, so the
 * harness signs them itself with the instance's HS256 secret:
 *   first byte % 3 == 0: the rest is the Authorization header as sent;
 *   == 1: the rest is the claims JSON, with a fixed HS256 header, signed;
 *   == 2: the rest is "HEADER\nCLAIMS" (both JSON), signed.
 * The instance is configured through config_load as main.c does; there is
 * no database, so no account snapshot: claims that pass end in
 * auth.unavailable rather than success. Oracle: every refusal carries a code
 * and a 401/503 kind, and a principal whose claims passed has a known role
 * and NUL-terminated fields.
 */
#include <sodium.h>

#include "core/err.h"
#include "server/auth.h"
#include "server/config.h"
#include "tests/fuzz/fuzz.h"

#define SECRET "fuzzing-secret-fuzzing-secret-fuzzing-secret-0123"

static struct config g_cfg;

static const char *cfg_env(const char *name)
{
	if (strcmp(name, "ALURD_JWT_SECRET") == 0)
		return SECRET;
	return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char msg[512];
	struct err e = {0};
	if (sodium_init() < 0 || !config_load(&g_cfg, cfg_env, msg, sizeof msg) || !auth_init(&g_cfg, &e)) {
		fprintf(stderr, "fuzz_jwt: set-up failed: %s %s\n", msg, e.detail);
		abort();
	}
	return 0;
}

/* Appends base64url(data) to out at *len (out has room: callers size it). */
static void b64(char *out, size_t *len, const void *data, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2base64(out + *len, cap, data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*len += strlen(out + *len);
}

/* "Bearer " + base64url(header) "." base64url(claims) "." HMAC-SHA256. */
static char *signed_header(const uint8_t *hdr, size_t hn, const uint8_t *claims, size_t cn)
{
	size_t cap = 7 + 2 * (hn + cn) + 128; /* base64 of both parts, the MAC, dots */
	char *out = malloc(cap);
	if (!out)
		abort();
	memcpy(out, "Bearer ", 8);
	size_t len = 7;
	b64(out, &len, hdr, hn);
	out[len++] = '.';
	b64(out, &len, claims, cn);
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)SECRET, strlen(SECRET));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)out + 7, len - 7);
	crypto_auth_hmacsha256_final(&st, mac);
	out[len++] = '.';
	b64(out, &len, mac, sizeof mac);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	static const char hs256[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	const uint8_t *rest = data + 1;
	size_t n = size - 1;
	char *h;
	switch (data[0] % 3) {
	case 0:
		h = fuzz_cstr(rest, n);
		break;
	case 1:
		h = signed_header((const uint8_t *)hs256, sizeof hs256 - 1, rest, n);
		break;
	default: {
		const uint8_t *nl = memchr(rest, '\n', n);
		size_t hn = nl ? (size_t)(nl - rest) : n;
		h = signed_header(rest, hn, nl ? nl + 1 : rest + n, nl ? n - hn - 1 : 0);
		break;
	}
	}
	struct principal p;
	struct err e = {0};
	bool ok = auth_authenticate(h, &p, &e);
	fuzz_assert(!ok); /* no snapshot: nothing can be authenticated */
	fuzz_assert(e.code[0] != '\0');
	fuzz_assert(e.kind == ERR_UNAUTHENTICATED || e.kind == ERR_UNAVAILABLE);
	if (e.kind == ERR_UNAVAILABLE) {
		fuzz_assert(p.role != ROLE_NONE);
		fuzz_assert(memchr(p.subject, '\0', sizeof p.subject) && p.subject[0]);
		fuzz_assert(memchr(p.agency_id, '\0', sizeof p.agency_id));
		fuzz_assert(memchr(p.jti, '\0', sizeof p.jti) && p.jti[0]);
	}
	free(h);
	return 0;
}
