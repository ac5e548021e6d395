/* report.c — see report.h. A cursor walks down the page; every block asks
 * for its height first and starts a new page when it does not fit. Charts
 * are horizontal bars drawn as filled rectangles, one row per item, scaled
 * to the largest value (100 for percentages). Page numbers are written once
 * every page exists ("Halaman N dari M"). libharu's errors go to a callback
 * that remembers the first; the outcome is checked once at the end.
 */
#include "pdf/report.h"

#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W 595.276f
#define PAGE_H 841.89f
#define MARGIN 50.0f
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define MAX_PAGES 64

struct doc {
	HPDF_Doc pdf;
	HPDF_Page page, pages[MAX_PAGES];
	int npages;
	HPDF_Font regular, bold;
	float y;
	HPDF_STATUS error;
};

static void HPDF_STDCALL on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *data)
{
	(void)detail_no;
	struct doc *d = data;
	if (!d->error)
		d->error = error_no;
}

/* UTF-8 to Latin-1 (a subset of WinAnsi), anything else as '?', into buf. */
static const char *latin1(const char *s, char *buf, size_t n)
{
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p && o + 1 < n) {
		if (*p < 0x80) {
			buf[o++] = (char)*p++;
		} else if ((*p == 0xC2 || *p == 0xC3) && (p[1] & 0xC0) == 0x80) {
			buf[o++] = (char)(((p[0] & 0x1F) << 6) | (p[1] & 0x3F));
			p += 2;
		} else {
			buf[o++] = '?';
			p++;
			while ((*p & 0xC0) == 0x80)
				p++;
		}
	}
	buf[o] = '\0';
	return buf;
}

static void new_page(struct doc *d)
{
	d->page = HPDF_AddPage(d->pdf);
	HPDF_Page_SetSize(d->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	if (d->npages < MAX_PAGES)
		d->pages[d->npages++] = d->page;
	d->y = PAGE_H - MARGIN;
}

static void need(struct doc *d, float h)
{
	if (d->y - h < MARGIN + 20)
		new_page(d);
}

static void text_at(struct doc *d, HPDF_Font f, float size, float x, float y, const char *s)
{
	char buf[512];
	HPDF_Page_BeginText(d->page);
	HPDF_Page_SetFontAndSize(d->page, f, size);
	HPDF_Page_TextOut(d->page, x, y, latin1(s, buf, sizeof buf));
	HPDF_Page_EndText(d->page);
}

/* Text cut to fit width w (with "..." when cut). */
static void text_fit(struct doc *d, HPDF_Font f, float size, float x, float y, float w, const char *s)
{
	char buf[512];
	latin1(s, buf, sizeof buf);
	HPDF_Page_SetFontAndSize(d->page, f, size);
	size_t n = strlen(buf);
	while (n > 3 && HPDF_Page_TextWidth(d->page, buf) > w) {
		n--;
		memcpy(buf + n - 3, "...", 4);
	}
	text_at(d, f, size, x, y, buf);
}

static void text_right(struct doc *d, HPDF_Font f, float size, float right, float y, const char *s)
{
	char buf[128];
	latin1(s, buf, sizeof buf);
	HPDF_Page_SetFontAndSize(d->page, f, size);
	text_at(d, f, size, right - HPDF_Page_TextWidth(d->page, buf), y, buf);
}

static void heading(struct doc *d, const char *s)
{
	need(d, 60);
	d->y -= 22;
	text_at(d, d->bold, 12, MARGIN, d->y, s);
	d->y -= 6;
	HPDF_Page_SetLineWidth(d->page, 0.6f);
	HPDF_Page_MoveTo(d->page, MARGIN, d->y);
	HPDF_Page_LineTo(d->page, PAGE_W - MARGIN, d->y);
	HPDF_Page_Stroke(d->page);
	d->y -= 14;
}

static void paragraph(struct doc *d, const char *s)
{
	need(d, 14);
	text_fit(d, d->regular, 9.5f, MARGIN, d->y, TEXT_W, s);
	d->y -= 13;
}

static const char *pct(char *buf, size_t n, double v)
{
	if (v < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f%%", v);
	for (char *p = buf; *p; p++)
		if (*p == '.')
			*p = ','; /* Indonesian decimal comma */
	return buf;
}

static const char *hours(char *buf, size_t n, double v)
{
	if (v < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f", v);
	for (char *p = buf; *p; p++)
		if (*p == '.')
			*p = ',';
	return buf;
}

/* The compliance table: label and seven figures per row. */
static void table(struct doc *d, const char *first, const struct pdf_report_row *rows, size_t n,
		  const struct pdf_report_row *total)
{
	static const char *const heads[] = {"Jumlah", "Selesai", "Berjalan", "Tepat", "Terlambat", "Kepatuhan",
					    "Median jam"};
	const float label_w = 175, col_w = (TEXT_W - label_w) / 7;
	need(d, 40);
	HPDF_Page_SetRGBFill(d->page, 0.88f, 0.91f, 0.95f);
	HPDF_Page_Rectangle(d->page, MARGIN, d->y - 4, TEXT_W, 15);
	HPDF_Page_Fill(d->page);
	HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
	text_at(d, d->bold, 8.5f, MARGIN + 2, d->y, first);
	for (int k = 0; k < 7; k++)
		text_right(d, d->bold, 7.5f, MARGIN + label_w + col_w * (float)(k + 1) - 2, d->y, heads[k]);
	d->y -= 15;
	for (size_t i = 0; i <= n; i++) {
		const struct pdf_report_row *r = i < n ? &rows[i] : total;
		if (!r)
			break;
		need(d, 14);
		HPDF_Font f = i < n ? d->regular : d->bold;
		char v[7][32];
		snprintf(v[0], 32, "%ld", r->count);
		snprintf(v[1], 32, "%ld", r->completed);
		snprintf(v[2], 32, "%ld", r->open);
		snprintf(v[3], 32, "%ld", r->met);
		snprintf(v[4], 32, "%ld", r->breached);
		pct(v[5], 32, r->compliance_pct);
		hours(v[6], 32, r->median_hours);
		text_fit(d, f, 8.5f, MARGIN + 2, d->y, label_w - 6, r->label);
		for (int k = 0; k < 7; k++)
			text_right(d, f, 8.5f, MARGIN + label_w + col_w * (float)(k + 1) - 2, d->y, v[k]);
		d->y -= 13;
	}
	d->y -= 4;
}

/* Horizontal bars: label, bar scaled to max (or 100 for percentages),
 * the value printed after the bar. */
static void bars(struct doc *d, const char *title, const struct pdf_report_bar *b, size_t n, bool percent)
{
	const float label_w = 175, bar_w = TEXT_W - label_w - 60, row_h = 14;
	double max = percent ? 100 : 0;
	for (size_t i = 0; i < n; i++)
		if (b[i].value > max)
			max = b[i].value;
	need(d, 20 + row_h * (float)(n < 6 ? n : 6));
	text_at(d, d->bold, 9, MARGIN, d->y, title);
	d->y -= 14;
	for (size_t i = 0; i < n; i++) {
		need(d, row_h);
		char v[32];
		text_fit(d, d->regular, 8.5f, MARGIN + 2, d->y, label_w - 6, b[i].label);
		float w = max > 0 && b[i].value > 0 ? (float)(b[i].value / max) * bar_w : 0;
		HPDF_Page_SetRGBFill(d->page, 0.85f, 0.87f, 0.90f);
		HPDF_Page_Rectangle(d->page, MARGIN + label_w, d->y - 2, bar_w, 10);
		HPDF_Page_Fill(d->page);
		if (percent && b[i].value < 80)
			HPDF_Page_SetRGBFill(d->page, 0.80f, 0.25f, 0.20f); /* below 80 %: red */
		else
			HPDF_Page_SetRGBFill(d->page, 0.15f, 0.45f, 0.70f);
		if (w > 0) {
			HPDF_Page_Rectangle(d->page, MARGIN + label_w, d->y - 2, w, 10);
			HPDF_Page_Fill(d->page);
		}
		HPDF_Page_SetRGBFill(d->page, 0, 0, 0);
		text_at(d, d->regular, 8.5f, MARGIN + label_w + bar_w + 6, d->y,
			percent ? pct(v, sizeof v, b[i].value) : hours(v, sizeof v, b[i].value));
		d->y -= row_h;
	}
	d->y -= 6;
}

static void rows_as_bars(struct doc *d, const char *title, const struct pdf_report_row *rows, size_t n)
{
	struct pdf_report_bar *b = calloc(n + 1, sizeof *b);
	size_t k = 0;
	if (!b)
		abort();
	for (size_t i = 0; i < n; i++)
		if (rows[i].compliance_pct >= 0)
			b[k++] = (struct pdf_report_bar){rows[i].label, rows[i].compliance_pct};
	if (k)
		bars(d, title, b, k, true);
	free(b);
}

static void summary(struct doc *d, const struct pdf_sla_report *r)
{
	char buf[160], p[32];
	heading(d, "1. Ringkasan");
	snprintf(buf, sizeof buf, "Permohonan yang masuk dalam periode: %ld", r->requests);
	paragraph(d, buf);
	snprintf(buf, sizeof buf, "Langkah SOP yang dihitung (langkah 2-7): %ld; selesai %ld, masih berjalan %ld",
		 r->total.count, r->total.completed, r->total.open);
	paragraph(d, buf);
	snprintf(buf, sizeof buf, "Tepat waktu: %ld; melewati mutu baku: %ld; tingkat kepatuhan: %s", r->total.met,
		 r->total.breached, pct(p, sizeof p, r->total.compliance_pct));
	paragraph(d, buf);
	snprintf(buf, sizeof buf, "Langkah yang saat ini melewati batas waktu: %zu%s", r->noverdue,
		 r->overdue_more ? " (daftar dipotong)" : "");
	paragraph(d, buf);
}

static void overdue(struct doc *d, const struct pdf_sla_report *r)
{
	heading(d, "5. Langkah yang Saat Ini Melewati Batas Waktu");
	if (r->noverdue == 0) {
		paragraph(d, "Tidak ada langkah yang melewati batas waktu.");
		return;
	}
	need(d, 30);
	text_at(d, d->bold, 8.5f, MARGIN + 2, d->y, "Permohonan");
	text_at(d, d->bold, 8.5f, MARGIN + 230, d->y, "Perangkat Daerah");
	text_right(d, d->bold, 8.5f, MARGIN + 420, d->y, "Langkah");
	text_right(d, d->bold, 8.5f, PAGE_W - MARGIN - 2, d->y, "Terlambat (jam kerja)");
	d->y -= 14;
	for (size_t i = 0; i < r->noverdue; i++) {
		const struct pdf_report_overdue *o = &r->overdue[i];
		char step[16], late[32];
		need(d, 13);
		snprintf(step, sizeof step, "%d", o->step);
		text_fit(d, d->regular, 8.5f, MARGIN + 2, d->y, 222, o->request);
		text_fit(d, d->regular, 8.5f, MARGIN + 230, d->y, 160, o->agency);
		text_right(d, d->regular, 8.5f, MARGIN + 420, d->y, step);
		text_right(d, d->regular, 8.5f, PAGE_W - MARGIN - 2, d->y, hours(late, sizeof late, o->late_hours));
		d->y -= 13;
	}
}

static void footers(struct doc *d, const char *generated)
{
	for (int i = 0; i < d->npages; i++) {
		char buf[160];
		d->page = d->pages[i];
		snprintf(buf, sizeof buf, "Halaman %d dari %d", i + 1, d->npages);
		text_right(d, d->regular, 8, PAGE_W - MARGIN, MARGIN - 10, buf);
		snprintf(buf, sizeof buf, "Dibuat oleh alurd, %s", generated ? generated : "");
		text_at(d, d->regular, 8, MARGIN, MARGIN - 10, buf);
	}
}

bool pdf_sla_report(const struct pdf_sla_report *r, unsigned char **pdf, size_t *len, struct err *e)
{
	struct doc d;
	memset(&d, 0, sizeof d);
	*pdf = NULL;
	*len = 0;
	d.pdf = HPDF_New(on_error, &d);
	if (!d.pdf)
		return err_set(e, ERR_INTERNAL, "pdf.render_failed", "The report could not be rendered.");
	HPDF_SetCompressionMode(d.pdf, HPDF_COMP_ALL);
	d.regular = HPDF_GetFont(d.pdf, "Helvetica", "WinAnsiEncoding");
	d.bold = HPDF_GetFont(d.pdf, "Helvetica-Bold", "WinAnsiEncoding");
	HPDF_SetInfoAttr(d.pdf, HPDF_INFO_TITLE, "Laporan Kepatuhan Mutu Baku Layanan");
	HPDF_SetInfoAttr(d.pdf, HPDF_INFO_CREATOR, "alurd");
	new_page(&d);
	for (size_t i = 0; r->letterhead && r->letterhead[i]; i++) {
		char buf[256];
		latin1(r->letterhead[i], buf, sizeof buf);
		HPDF_Font f = i == 0 ? d.bold : d.regular;
		HPDF_Page_SetFontAndSize(d.page, f, i < 2 ? 11 : 9);
		text_at(&d, f, i < 2 ? 11 : 9, (PAGE_W - HPDF_Page_TextWidth(d.page, buf)) / 2, d.y, buf);
		d.y -= 14;
	}
	d.y -= 10;
	text_at(&d, d.bold, 13, MARGIN, d.y, "LAPORAN KEPATUHAN MUTU BAKU LAYANAN PENGEMBANGAN APLIKASI");
	d.y -= 16;
	char buf[256];
	snprintf(buf, sizeof buf, "Periode: %s", r->period ? r->period : "");
	text_at(&d, d.regular, 10, MARGIN, d.y, buf);
	d.y -= 6;

	summary(&d, r);
	heading(&d, "2. Kepatuhan per Langkah SOP terhadap Mutu Baku");
	table(&d, "Langkah", r->steps, r->nsteps, &r->total);
	rows_as_bars(&d, "Grafik kepatuhan per langkah (%)", r->steps, r->nsteps);
	heading(&d, "3. Kepatuhan per Perangkat Daerah");
	if (r->nagencies)
		table(&d, "Perangkat Daerah", r->agencies, r->nagencies, NULL);
	else
		paragraph(&d, "Tidak ada langkah yang dihitung dalam periode ini.");
	rows_as_bars(&d, "Grafik kepatuhan per perangkat daerah (%)", r->agencies, r->nagencies);
	heading(&d, "4. Penyebab Keterlambatan: Atribusi Waktu Tunggu");
	paragraph(&d, "Jam kerja yang dihabiskan permohonan dalam periode di meja masing-masing pihak.");
	if (r->nwaiting)
		bars(&d, "Waktu tunggu per pihak (jam kerja)", r->waiting, r->nwaiting, false);
	overdue(&d, r);
	footers(&d, r->generated);

	bool ok = !d.error && HPDF_SaveToStream(d.pdf) == HPDF_OK;
	if (ok) {
		HPDF_UINT32 size = HPDF_GetStreamSize(d.pdf);
		*pdf = malloc(size ? size : 1);
		if (!*pdf)
			abort();
		HPDF_UINT32 got = size;
		ok = HPDF_ReadFromStream(d.pdf, *pdf, &got) == HPDF_OK || got == size;
		*len = got;
	}
	HPDF_Free(d.pdf);
	if (!ok) {
		free(*pdf);
		*pdf = NULL;
		*len = 0;
		return err_set(e, ERR_INTERNAL, "pdf.render_failed", "The report could not be rendered.");
	}
	return true;
}
