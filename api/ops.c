/* ops.c — operational routes: liveness and the API contract. (/metrics and
 * /readyz live in server/, which owns the counters and the readiness
 * checker's thread.) */
#include "api/api.h"
#include "db/embedded.h"

static bool get_healthz(struct api_ctx *c, struct err *e)
{
	(void)e;
	api_reply_json(c, 200, json_pack("{s:s}", "status", "ok"));
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
	{"GET", "/openapi.yaml", get_openapi, ACT_PUBLIC, API_TX_NONE, API_BODY_NONE, 0, NULL},
	{0},
};
