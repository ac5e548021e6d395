/* report.h — the SLA period report for the Kepala Dinas and the SPBE
 * evaluation (A4 PDF, libharu, in Bahasa Indonesia).
 *
 * Rendering only: the caller computes every figure (api/report.c, from the
 * same summary as GET /sla/summary) and this file lays it out: a summary,
 * compliance per SOP step and per agency against the mutu baku (tables and
 * bar charts), delay attribution (whose desk the time went to) and the steps
 * overdue now. Text is UTF-8; characters outside Latin-1 print as '?' (the
 * built-in fonts carry WinAnsi only).
 */
#ifndef ALURD_PDF_REPORT_H
#define ALURD_PDF_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct pdf_report_row {
	const char *label;
	long count, completed, open, met, breached;
	double compliance_pct; /* < 0: none decided */
	double median_hours;   /* < 0: none completed */
};

struct pdf_report_bar {
	const char *label;
	double value;
};

struct pdf_report_overdue {
	const char *request, *agency;
	int step;
	double late_hours;
};

struct pdf_sla_report {
	const char *const *letterhead; /* NULL-terminated */
	const char *period;            /* "1 Januari 2026 s.d. 31 Januari 2026" */
	const char *generated;         /* when, as printed */
	struct pdf_report_row total;
	long requests;                 /* requests created in the period */
	const struct pdf_report_row *steps;
	size_t nsteps;
	const struct pdf_report_row *agencies;
	size_t nagencies;
	const struct pdf_report_bar *waiting; /* hours per party */
	size_t nwaiting;
	const struct pdf_report_overdue *overdue;
	size_t noverdue;
	bool overdue_more; /* the list was cut */
};

/* Renders the report; on success *pdf is malloc'd (the caller frees) and
 * *len its size; on a libharu failure returns false with ERR_INTERNAL
 * "pdf.render_failed". */
bool pdf_sla_report(const struct pdf_sla_report *r, unsigned char **pdf, size_t *len, struct err *e);

#endif
