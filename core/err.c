/* err.c — filling struct err. Plain snprintf into fixed buffers: an error
 * never allocates, so it can be reported even when memory is tight. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
	e->kind = ERR_NONE;
	e->code[0] = e->detail[0] = e->log[0] = e->location[0] = '\0';
	e->retry_after = 0;
	e->nfields = 0;
}

bool err_set(struct err *e, enum err_kind kind, const char *code, const char *fmt, ...)
{
	va_list ap;
	e->kind = kind;
	e->location[0] = '\0';
	snprintf(e->code, sizeof e->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
	return false;
}

bool err_log(struct err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->log, sizeof e->log, fmt, ap);
	va_end(ap);
	return false;
}

bool err_field(struct err *e, const char *field, const char *code, const char *fmt, ...)
{
	va_list ap;
	if (e->kind == ERR_NONE)
		err_set(e, ERR_INVALID, "request.invalid", "The request has invalid fields.");
	if (e->nfields >= ERR_MAX_FIELDS)
		return false;
	struct err_field *f = &e->fields[e->nfields++];
	snprintf(f->name, sizeof f->name, "%s", field);
	snprintf(f->code, sizeof f->code, "%s", code);
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof f->detail, fmt, ap);
	va_end(ap);
	return false;
}

const char *err_kind_name(enum err_kind kind)
{
	static const char *const names[] = {
		[ERR_NONE] = "none",
		[ERR_INVALID] = "invalid",
		[ERR_UNAUTHENTICATED] = "unauthenticated",
		[ERR_FORBIDDEN] = "forbidden",
		[ERR_NOT_FOUND] = "not_found",
		[ERR_METHOD] = "method_not_allowed",
		[ERR_CONFLICT] = "conflict",
		[ERR_PRECONDITION] = "precondition",
		[ERR_PRECONDITION_REQUIRED] = "precondition_required",
		[ERR_TOO_LARGE] = "too_large",
		[ERR_MEDIA_TYPE] = "media_type",
		[ERR_UNPROCESSABLE] = "unprocessable",
		[ERR_TOO_MANY] = "too_many",
		[ERR_UNAVAILABLE] = "unavailable",
		[ERR_RETRY] = "retry",
		[ERR_INTERNAL] = "internal",
	};
	if ((unsigned)kind >= sizeof names / sizeof names[0])
		return "internal";
	return names[kind];
}
