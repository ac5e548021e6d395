/* render.c — the one place that turns outcomes into answers: the error kind
 * to HTTP status mapping, the RFC 9457 problem document, and the response
 * helpers handlers call. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"

int api_status_for(enum err_kind kind)
{
	switch (kind) {
	case ERR_NONE: return 200;
	case ERR_INVALID: return 400;
	case ERR_UNAUTHENTICATED: return 401;
	case ERR_FORBIDDEN: return 403;
	case ERR_NOT_FOUND: return 404;
	case ERR_METHOD: return 405;
	case ERR_CONFLICT: return 409;
	case ERR_PRECONDITION: return 412;
	case ERR_PRECONDITION_REQUIRED: return 428;
	case ERR_TOO_LARGE: return 413;
	case ERR_URI_TOO_LONG: return 414;
	case ERR_HEADERS_TOO_LARGE: return 431;
	case ERR_MEDIA_TYPE: return 415;
	case ERR_UNPROCESSABLE: return 422;
	case ERR_TOO_MANY: return 429;
	case ERR_UNAVAILABLE: return 503;
	case ERR_RETRY: return 503;
	case ERR_INTERNAL: return 500;
	}
	return 500;
}

static const char *title_for(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 428: return "Precondition Required";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

json_t *api_problem_new(const struct err *e, int status, const char *request_id)
{
	const char *code = e->code[0] ? e->code : "internal";
	char type[128];
	snprintf(type, sizeof type, "/problems/%s", code);
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", title_for(status), "status", status,
			      "detail", e->detail[0] ? e->detail : title_for(status), "code", code);
	if (request_id)
		json_object_set_new(p, "request_id", json_string(request_id));
	if (e->nfields > 0) {
		json_t *list = json_array();
		for (int i = 0; i < e->nfields; i++)
			json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "field", e->fields[i].name, "code",
							      e->fields[i].code, "detail", e->fields[i].detail));
		json_object_set_new(p, "errors", list);
	}
	return p;
}

static const char *oauth_error(const struct err *e, int status)
{
	if (e->kind == ERR_UNAUTHENTICATED)
		return "invalid_client";
	if (strcmp(e->code, "auth.invalid_scope") == 0)
		return "invalid_scope";
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, "grant_type") == 0 && strcmp(e->fields[i].code, "unsupported") == 0)
			return "unsupported_grant_type";
	if (status == 429 || status == 503)
		return "temporarily_unavailable";
	if (status >= 500)
		return "server_error";
	return "invalid_request";
}

void api_problem_add_oauth(json_t *p, const struct err *e, int status)
{
	/* error_description allows %x20-21 / %x23-5B / %x5D-7E only */
	char desc[sizeof e->detail];
	const char *d = e->detail[0] ? e->detail : title_for(status);
	size_t n = 0;
	for (; d[n] && n + 1 < sizeof desc; n++)
		desc[n] = (d[n] < 0x20 || d[n] > 0x7e || d[n] == '"' || d[n] == '\\') ? '\'' : d[n];
	desc[n] = '\0';
	json_object_set_new(p, "error", json_string(oauth_error(e, status)));
	json_object_set_new(p, "error_description", json_string(desc));
}

const char *api_query(const struct api_ctx *c, const char *key)
{
	for (int i = 0; i < c->nquery; i++)
		if (strcmp(c->query[i].key, key) == 0)
			return c->query[i].value;
	return NULL;
}

const char *api_header(const struct api_ctx *c, const char *name)
{
	for (int i = 0; i < c->nheaders; i++)
		if (strcasecmp(c->headers[i].key, name) == 0)
			return c->headers[i].value;
	return NULL;
}

void api_reply_json(struct api_ctx *c, int status, json_t *body)
{
	if (c->out)
		json_decref(c->out);
	c->status = status;
	c->out = body;
	c->out_bytes = NULL;
	c->out_len = 0;
	c->out_type = NULL;
}

void api_reply_json_text(struct api_ctx *c, int status, const char *text)
{
	const char *copy = arena_strdup(c->arena, text);
	api_reply_bytes(c, status, "application/json", copy, strlen(copy));
}

void api_reply_bytes(struct api_ctx *c, int status, const char *type, const void *bytes, size_t len)
{
	if (c->out)
		json_decref(c->out);
	c->out = NULL;
	c->status = status;
	c->out_type = type;
	c->out_bytes = bytes;
	c->out_len = len;
}

void api_set_header(struct api_ctx *c, const char *name, const char *value)
{
	if (c->nout_headers >= API_MAX_OUT_HEADERS)
		return;
	c->out_headers[c->nout_headers].key = arena_strdup(c->arena, name);
	c->out_headers[c->nout_headers].value = arena_strdup(c->arena, value);
	c->nout_headers++;
}
