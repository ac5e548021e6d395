/* ops.c — operational routes: liveness, readiness, the API contract.
 * (/metrics lives in server/, which owns the counters.) */
#include "api/api.h"
#include "db/embedded.h"
#include "db/migrate.h"

static bool get_healthz(struct api_ctx *c, struct err *e)
{
	(void)e;
	api_reply_json(c, 200, json_pack("{s:s}", "status", "ok"));
	return true;
}

static bool get_readyz(struct api_ctx *c, struct err *e)
{
	int applied, expected;
	if (!db_migrate_status(e, &applied, &expected))
		return err_set(e, ERR_UNAVAILABLE, "ops.not_ready", "Not ready: the database is not reachable.");
	if (applied < expected)
		return err_set(e, ERR_UNAVAILABLE, "ops.not_ready",
			       "Not ready: %d of %d migrations applied; run `alurd migrate`.", applied, expected);
	api_reply_json(c, 200,
		       json_pack("{s:s, s:{s:i, s:i}}", "status", "ready", "migrations", "applied", applied, "expected",
				 expected));
	return true;
}

static bool get_openapi(struct api_ctx *c, struct err *e)
{
	(void)e;
	api_reply_bytes(c, 200, "application/yaml", embedded_openapi.data, embedded_openapi.len);
	return true;
}

const struct route api_ops_routes[] = {
	{"GET", "/healthz", get_healthz, ACT_PUBLIC, API_TX_NONE, API_BODY_NONE, 0, NULL},
	{"GET", "/readyz", get_readyz, ACT_PUBLIC, API_TX_READ, API_BODY_NONE, 0, NULL},
	{"GET", "/openapi.yaml", get_openapi, ACT_PUBLIC, API_TX_NONE, API_BODY_NONE, 0, NULL},
	{0},
};
