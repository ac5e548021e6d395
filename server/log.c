/* log.c — JSON log lines (see log.h). */
#include "server/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum log_level g_min = LOG_INFO;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level min)
{
	g_min = min;
}

int log_enabled(enum log_level l)
{
	return l >= g_min;
}

static void now_rfc3339(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + k, n - k, ".%03ldZ", ts.tv_nsec / 1000000);
}

void log_json(enum log_level l, const char *request_id, const char *msg, json_t *fields)
{
	if (!log_enabled(l)) {
		json_decref(fields);
		return;
	}
	char ts[40];
	now_rfc3339(ts, sizeof ts);
	json_t *line = json_pack("{s:s, s:s}", "time", ts, "level", config_log_level_name(l));
	if (request_id)
		json_object_set_new(line, "request_id", json_string(request_id));
	if (msg)
		json_object_set_new(line, "msg", json_string(msg));
	if (fields)
		json_object_update(line, fields);
	json_decref(fields);
	char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(line);
	if (!text)
		return;
	pthread_mutex_lock(&g_lock);
	fputs(text, stderr);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&g_lock);
	free(text);
}

void log_msg(enum log_level l, const char *request_id, const char *fmt, ...)
{
	if (!log_enabled(l))
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	log_json(l, request_id, buf, NULL);
}
