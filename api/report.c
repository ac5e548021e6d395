/* report.c — GET /api/v1/sla/report?from=&to=: the period report as a PDF
 * in Bahasa Indonesia (pdf/report.c lays it out). Its figures are exactly
 * GET /sla/summary's (per step and per agency, the same function), the
 * delay attribution its total's waiting time per party, and the list of
 * steps overdue now GET /sla/overdue's first 100.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/clock.h"
#include "api/common.h"
#include "api/input.h"
#include "api/sla.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "db/agencies.h"
#include "pdf/report.h"

#define OVERDUE_SHOWN 100

static const char *const step_names[8] = {
	NULL, NULL, "2 Disposisi Kepala Dinas", "3 Disposisi Kabid", "4 Pembahasan awal", "5 Pembahasan lanjutan",
	"6 Pembahasan akhir", "7 Berita Acara / Surat Tugas",
};

static const char *party_label(const char *key)
{
	static const struct {
		const char *key, *label;
	} names[] = {{"pd", "Perangkat Daerah"}, {"sekretariat", "Sekretariat"}, {"kepala_dinas", "Kepala Dinas"},
		     {"kabid_iai", "Kabid IAI"},  {"kasi_ai_tim_spbe", "Kasi AI dan Tim SPBE"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].key, key) == 0)
			return names[i].label;
	return key;
}

/* "2026-01-31" -> "31 Januari 2026". */
static const char *tanggal(struct arena *a, const char *ymd)
{
	static const char *const bulan[12] = {"Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
					      "Juli",    "Agustus",  "September", "Oktober", "November", "Desember"};
	int y = atoi(ymd), m = atoi(ymd + 5), d = atoi(ymd + 8);
	return arena_printf(a, "%d %s %d", d, bulan[(m >= 1 && m <= 12 ? m : 1) - 1], y);
}

static double real_or(json_t *v, double none)
{
	return json_is_number(v) ? json_number_value(v) : none;
}

static struct pdf_report_row row_of(json_t *g, const char *label)
{
	return (struct pdf_report_row){
		.label = label,
		.count = (long)json_integer_value(json_object_get(g, "count")),
		.completed = (long)json_integer_value(json_object_get(g, "completed")),
		.open = (long)json_integer_value(json_object_get(g, "open")),
		.met = (long)json_integer_value(json_object_get(g, "met")),
		.breached = (long)json_integer_value(json_object_get(g, "breached")),
		.compliance_pct = real_or(json_object_get(g, "compliance_pct"), -1),
		.median_hours = real_or(json_object_get(g, "median_working_seconds"), -3600) / 3600,
	};
}

/* The name of every agency, to label the groups (one query). */
static const char *agency_name(json_t *agencies, const char *id)
{
	size_t i;
	json_t *a;
	json_array_foreach(agencies, i, a) {
		if (strcmp(json_string_value(json_object_get(a, "id")), id) == 0)
			return json_string_value(json_object_get(a, "name"));
	}
	return id;
}

static const char *const report_params[] = {"from", "to", NULL};

static bool get_report(struct api_ctx *c, struct err *e)
{
	const char *from = api_query(c, "from"), *to = api_query(c, "to");
	if (!from)
		err_field(e, "from", "required", "The first day of the period (YYYY-MM-DD).");
	else
		val_date(e, "from", from);
	if (!to)
		err_field(e, "to", "required", "The last day of the period (YYYY-MM-DD).");
	else
		val_date(e, "to", to);
	if (!e->kind && strcmp(from, to) > 0)
		err_field(e, "to", "order", "to is on or after from.");
	if (e->kind)
		return false;
	json_t *by_step = NULL, *by_agency = NULL, *overdue = NULL, *agencies = NULL;
	bool more;
	struct db_page agencies_page;
	bool ok = api_sla_summary(c, from, to, false, NULL, &by_step, e) &&
		  api_sla_summary(c, from, to, true, NULL, &by_agency, e);
	ok = ok && api_sla_overdue(c, OVERDUE_SHOWN, &overdue, &more, e);
	ok = ok && db_agency_list(e, c->arena, NULL, NULL, NULL, 200, &agencies_page);
	if (ok)
		agencies = json_loads(agencies_page.items, 0, NULL);

	struct pdf_sla_report r = {0};
	if (ok) {
		json_t *steps = json_object_get(by_step, "groups"), *groups = json_object_get(by_agency, "groups");
		json_t *total = json_object_get(by_step, "total");
		struct pdf_report_row *srows = arena_alloc(c->arena, sizeof *srows * (json_array_size(steps) + 1));
		struct pdf_report_row *arows = arena_alloc(c->arena, sizeof *arows * (json_array_size(groups) + 1));
		size_t i;
		json_t *g;
		json_array_foreach(steps, i, g) {
			int step = atoi(json_string_value(json_object_get(g, "key")));
			srows[i] = row_of(g, step >= 2 && step <= 7 ? step_names[step] : "?");
		}
		json_array_foreach(groups, i, g) {
			const char *id = json_string_value(json_object_get(g, "key"));
			arows[r.nagencies++] = row_of(g, arena_strdup(c->arena, agency_name(agencies, id)));
		}
		json_t *waiting = json_object_get(total, "waiting_working_seconds");
		struct pdf_report_bar *bars = arena_alloc(c->arena, sizeof *bars * (json_object_size(waiting) + 1));
		const char *key;
		json_t *v;
		json_object_foreach(waiting, key, v)
			bars[r.nwaiting++] = (struct pdf_report_bar){party_label(key), real_or(v, 0) / 3600};
		struct pdf_report_overdue *od = arena_alloc(c->arena, sizeof *od * (json_array_size(overdue) + 1));
		json_array_foreach(overdue, i, g) {
			od[i] = (struct pdf_report_overdue){
				arena_strdup(c->arena, json_string_value(json_object_get(g, "title"))),
				arena_strdup(c->arena, agency_name(agencies, json_string_value(json_object_get(g, "agency_id")))),
				(int)json_integer_value(json_object_get(g, "step")),
				real_or(json_object_get(g, "late_working_seconds"), 0) / 3600};
		}
		r.letterhead = api_split_lines(c->arena, api_services.letterhead);
		r.period = arena_printf(c->arena, "%s s.d. %s", tanggal(c->arena, from), tanggal(c->arena, to));
		r.generated = api_time_text(c->arena, (int64_t)time(NULL));
		r.total = row_of(total, "Semua langkah");
		r.requests = (long)json_integer_value(json_object_get(total, "requests"));
		r.steps = srows;
		r.nsteps = json_array_size(steps);
		r.agencies = arows;
		r.waiting = bars;
		r.overdue = od;
		r.noverdue = json_array_size(overdue);
		r.overdue_more = more;
	}
	unsigned char *pdf = NULL;
	size_t len = 0;
	ok = ok && pdf_sla_report(&r, &pdf, &len, e);
	json_decref(by_step);
	json_decref(by_agency);
	json_decref(overdue);
	json_decref(agencies);
	if (ok) {
		void *copy = arena_alloc(c->arena, len);
		memcpy(copy, pdf, len);
		api_set_header(c, "Content-Disposition",
			       arena_printf(c->arena, "inline; filename=\"laporan-sla-%s-%s.pdf\"", from, to));
		api_reply_bytes(c, 200, "application/pdf", copy, len);
	}
	free(pdf);
	return ok;
}

const struct route api_report_routes[] = {
	{"GET", "/api/v1/sla/report", get_report, ACT_SLA_REPORT, API_TX_READ, API_BODY_NONE, 0, report_params},
	{0},
};
