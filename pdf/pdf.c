/* pdf.c — the Berita Acara as a printable A4 PDF (libharu).
 *
 * A small flow layout: a cursor `y` walks down the page and every block asks
 * for room before it draws, so any section may continue on a new page. Table
 * rows and the signature block are kept whole when they fit on a page and are
 * split line by line only when taller than a page; a table carries its header
 * row over to each new page. Footers ("Halaman N dari M") are drawn last, once
 * the page count is known. All text passes one conversion, UTF-8 to WinAnsi
 * (CP1252), the only encoding the built-in Helvetica fonts offer: whatever
 * WinAnsi cannot hold, and every invalid byte, prints as '?', so libharu never
 * sees bytes it cannot encode. libharu reports failures through a callback
 * that records the first one; a failed document refuses all further work
 * (HPDF_HasDoc), so rendering runs to its end and the outcome is checked once,
 * without setjmp. Scratch strings live in an arena freed in one place.
 */
#include "pdf/pdf.h"

#include <hpdf.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

/* A4 portrait in points, 2 cm margins; the footer lives in the bottom margin. */
#define PAGE_W 595.276f
#define PAGE_H 841.89f
#define MARGIN 56.693f
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define TOP (PAGE_H - MARGIN)
#define BOTTOM (MARGIN + 6)
#define LEADING 1.35f    /* line height as a multiple of the font size */
#define CELL_PAD 4.0f
#define SIGN_SPACE 56.0f /* room for a handwritten signature or a seal */
#define MAX_COLS 4
#define S(s) ((s) ? (s) : "")

enum align { LEFT, CENTER };

struct style {
	HPDF_Font font;
	float size;
	enum align align;
	bool underline;
};

struct line {
	const char *s; /* WinAnsi, not NUL-terminated */
	size_t n;
};

struct lines {
	struct line *v;
	size_t n;
};

struct cell {
	const char *text; /* WinAnsi */
	const struct style *st;
	float x, w;
};

struct row {
	struct cell c[MAX_COLS];
	size_t n;
	bool border, fill;
};

struct doc {
	HPDF_Doc pdf;
	HPDF_Page page;
	unsigned npages;
	float y;       /* top of the next line on the current page */
	bool fresh;    /* nothing but a repeated table header on this page yet */
	HPDF_Font regular, bold, cur_font;
	float cur_size;
	char *scratch; /* a NUL-terminated copy of the piece measured or drawn */
	size_t scratch_cap;
	struct arena mem;
	HPDF_STATUS error, detail; /* the first libharu error; 0 = none */
};

static void HPDF_STDCALL on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *data)
{
	struct doc *d = data;
	if (!d->error) {
		d->error = error_no;
		d->detail = detail_no;
	}
}

/* ---- text: UTF-8 to WinAnsi ------------------------------------------- */

/* Code points of WinAnsi bytes 0x80..0x9F (0 = unassigned). */
static const uint16_t cp1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

#define BAD_CP UINT32_MAX

/* Decodes the UTF-8 sequence at s into *cp (BAD_CP when invalid: overlong,
 * surrogate, out of range, truncated) and returns the bytes consumed, at least
 * one; it never reads past a NUL. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t v, min;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, v = s[0] & 0x1Fu, min = 0x80;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, v = s[0] & 0x0Fu, min = 0x800;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, v = s[0] & 0x07u, min = 0x10000;
	else {
		*cp = BAD_CP;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = BAD_CP;
			return i;
		}
		v = v << 6 | (s[i] & 0x3Fu);
	}
	*cp = (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) ? BAD_CP : v;
	return n;
}

/* The WinAnsi byte for a code point, '?' when there is none. */
static char winansi_byte(uint32_t cp)
{
	if ((cp >= 0x20 && cp < 0x7F) || (cp >= 0xA0 && cp <= 0xFF))
		return (char)cp;
	for (unsigned i = 0; i < 32; i++)
		if (cp1252_high[i] && cp1252_high[i] == cp)
			return (char)(0x80 + i);
	return '?';
}

/* utf8 (NULL = "") as WinAnsi in arena memory: newlines kept, CR dropped,
 * tabs as spaces, trailing blank lines and spaces trimmed. */
static char *text(struct doc *d, const char *utf8)
{
	const unsigned char *s = (const unsigned char *)S(utf8);
	char *out = arena_alloc(&d->mem, strlen((const char *)s) + 1), *o = out;
	while (*s) {
		uint32_t cp;
		s += utf8_next(s, &cp);
		if (cp == '\r')
			continue;
		*o++ = cp == '\n' ? '\n' : cp == '\t' ? ' ' : winansi_byte(cp);
	}
	while (o > out && (o[-1] == '\n' || o[-1] == ' '))
		o--;
	*o = '\0';
	return out;
}

/* For the document information dictionary, read as PDFDocEncoding: it agrees
 * with WinAnsi on ASCII and Latin-1 only. */
static char *info_text(struct doc *d, const char *utf8)
{
	char *t = text(d, utf8);
	for (unsigned char *p = (unsigned char *)t; *p; p++) {
		if (*p == '\n')
			*p = ' ';
		else if (*p >= 0x80 && *p <= 0xA0)
			*p = '?';
	}
	return t;
}

/* ---- dates ----------------------------------------------------------- */

static bool parse_ymd(const char *s, int *y, int *m, int *dd)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	*y = atoi(s), *m = atoi(s + 5), *dd = atoi(s + 8);
	return *m >= 1 && *m <= 12 && *dd >= 1 && *dd <= 31;
}

/* "2026-11-28" as "28 November 2026"; anything else as given. */
static const char *date_long(struct doc *d, const char *ymd)
{
	static const char *const month[] = {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
					    "Agustus", "September", "Oktober", "November", "Desember"};
	int y, m, dd;
	if (!parse_ymd(ymd, &y, &m, &dd))
		return S(ymd);
	return arena_printf(&d->mem, "%d %s %d", dd, month[m - 1], y);
}

/* "2026-11-28" as "28-11-2026"; anything else as given. */
static const char *date_dmy(struct doc *d, const char *ymd)
{
	int y, m, dd;
	if (!parse_ymd(ymd, &y, &m, &dd))
		return S(ymd);
	return arena_printf(&d->mem, "%02d-%02d-%04d", dd, m, y);
}

/* ---- measuring and wrapping ------------------------------------------ */

/* s[0..n) copied, NUL-terminated, into the scratch buffer. */
static const char *piece(struct doc *d, const char *s, size_t n)
{
	if (n + 1 > d->scratch_cap) {
		free(d->scratch);
		d->scratch_cap = n + 1 > 256 ? n + 1 : 256;
		d->scratch = malloc(d->scratch_cap);
		if (!d->scratch)
			abort();
	}
	memcpy(d->scratch, s, n);
	d->scratch[n] = '\0';
	return d->scratch;
}

static void use_font(struct doc *d, const struct style *st)
{
	if (d->cur_font == st->font && d->cur_size == st->size)
		return;
	HPDF_Page_SetFontAndSize(d->page, st->font, st->size);
	d->cur_font = st->font;
	d->cur_size = st->size;
}

/* Width in points of s[0..n) in the style's font. */
static float measure(struct doc *d, const struct style *st, const char *s, size_t n)
{
	use_font(d, st);
	return HPDF_Page_TextWidth(d->page, piece(d, s, n));
}

static void push(struct lines *ls, const char *s, size_t n)
{
	while (n > 0 && s[n - 1] == ' ')
		n--;
	ls->v[ls->n++] = (struct line){s, n};
}

/* How many bytes of s[0..n) fit in w, at least one: a word wider than a line
 * is broken where it reaches the edge. */
static size_t fit_bytes(struct doc *d, const struct style *st, const char *s, size_t n, float w)
{
	size_t k = 1;
	while (k < n && measure(d, st, s, k + 1) <= w)
		k++;
	return k;
}

/* Greedy word wrap of one paragraph s[0..n) (no newline) into out. */
static void wrap_paragraph(struct doc *d, const struct style *st, const char *s, size_t n, float w,
			   struct lines *out)
{
	if (n == 0)
		push(out, s, 0);
	for (size_t start = 0; start < n;) {
		size_t end = start;
		for (;;) {
			size_t next = end;
			while (next < n && s[next] == ' ')
				next++;
			while (next < n && s[next] != ' ')
				next++;
			if (next == end || measure(d, st, s + start, next - start) > w)
				break;
			end = next;
		}
		if (end == start)
			end = start + fit_bytes(d, st, s + start, n - start, w);
		push(out, s + start, end - start);
		for (start = end; start < n && s[start] == ' ';)
			start++;
	}
}

/* The lines of WinAnsi text t at most w points wide, explicit newlines kept.
 * Every line holds at least one byte of t or ends at a newline, so strlen(t)
 * + 1 entries always suffice. */
static struct lines wrap(struct doc *d, const struct style *st, const char *t, float w)
{
	struct lines out = {arena_alloc(&d->mem, (strlen(t) + 1) * sizeof(struct line)), 0};
	for (const char *p = t;;) {
		const char *nl = strchr(p, '\n');
		wrap_paragraph(d, st, p, nl ? (size_t)(nl - p) : strlen(p), w, &out);
		if (!nl)
			return out;
		p = nl + 1;
	}
}

/* ---- pages and drawing ----------------------------------------------- */

static void new_page(struct doc *d)
{
	d->y = TOP;
	d->fresh = true;
	d->cur_font = NULL;
	if (d->error)
		return;
	d->page = HPDF_AddPage(d->pdf);
	d->npages++;
	HPDF_Page_SetSize(d->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
}

/* Moves to a new page unless h points are left above the bottom margin (or
 * the page is fresh: what does not fit there fits nowhere). */
static void room(struct doc *d, float h)
{
	if (d->y - h < BOTTOM && !d->fresh)
		new_page(d);
}

static void advance(struct doc *d, float h)
{
	d->y -= h;
	d->fresh = false;
}

/* Vertical space, dropped at the top of a page. */
static void gap(struct doc *d, float h)
{
	if (d->fresh)
		return;
	if (d->y - h < BOTTOM)
		new_page(d);
	else
		d->y -= h;
}

static void rule(struct doc *d, float x_from, float y, float x_to, float width)
{
	HPDF_Page_SetLineWidth(d->page, width);
	HPDF_Page_MoveTo(d->page, x_from, y);
	HPDF_Page_LineTo(d->page, x_to, y);
	HPDF_Page_Stroke(d->page);
}

static void box(struct doc *d, float x, float y, float w, float h, bool fill)
{
	HPDF_Page_SetLineWidth(d->page, 0.6f);
	HPDF_Page_SetGrayFill(d->page, fill ? 0.88f : 1.0f);
	HPDF_Page_Rectangle(d->page, x, y, w, h);
	if (fill)
		HPDF_Page_FillStroke(d->page);
	else
		HPDF_Page_Stroke(d->page);
	HPDF_Page_SetGrayFill(d->page, 0);
}

/* Draws one line in the box [x, x + w] whose line slot starts at top
 * (measure leaves the NUL-terminated line in the scratch buffer). */
static void draw_line(struct doc *d, const struct style *st, float x, float w, float top, struct line ln)
{
	if (ln.n == 0)
		return;
	float tw = measure(d, st, ln.s, ln.n);
	float tx = st->align == CENTER ? x + (w - tw) / 2 : x;
	float base = top - st->size * LEADING / 2 - st->size * 0.35f;
	HPDF_Page_BeginText(d->page);
	HPDF_Page_TextOut(d->page, tx, base, d->scratch);
	HPDF_Page_EndText(d->page);
	if (st->underline)
		rule(d, tx, base - 1.5f, tx + tw, 0.6f);
}

/* A wrapped paragraph across the text width; with a marker ("1.", a bullet),
 * the marker hangs in the first `indent` points and the text is indented. */
static void flow(struct doc *d, const struct style *st, const char *marker, float indent, const char *utf8)
{
	struct lines ls = wrap(d, st, text(d, utf8), TEXT_W - indent);
	const struct style mst = {st->font, st->size, LEFT, false};
	float lead = st->size * LEADING;
	for (size_t i = 0; i < ls.n; i++) {
		room(d, lead);
		if (i == 0 && marker)
			draw_line(d, &mst, MARGIN, indent, d->y, (struct line){marker, strlen(marker)});
		draw_line(d, st, MARGIN + indent, TEXT_W - indent, d->y, ls.v[i]);
		advance(d, lead);
	}
}

/* ---- rows: table rows and the signature block -------------------------- */

static float row_lead(const struct row *r)
{
	float size = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->c[i].st->size > size)
			size = r->c[i].st->size;
	return size * LEADING;
}

/* Wraps every cell into ls; returns the row's height in lines. */
static size_t row_wrap(struct doc *d, const struct row *r, struct lines *ls)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++) {
		ls[i] = wrap(d, r->c[i].st, r->c[i].text, r->c[i].w - 2 * CELL_PAD);
		if (ls[i].n > n)
			n = ls[i].n;
	}
	return n;
}

static float row_height(struct doc *d, const struct row *r)
{
	struct lines ls[MAX_COLS];
	return (float)row_wrap(d, r, ls) * row_lead(r) + 2 * CELL_PAD;
}

/* How many lines of a row fit above the bottom margin. */
static size_t lines_left(const struct doc *d, float lead)
{
	float h = d->y - BOTTOM - 2 * CELL_PAD;
	return h > 0 ? (size_t)(h / lead) : 0;
}

/* Draws lines [from, from + k) of every cell as one band of the row. */
static void paint_row(struct doc *d, const struct row *r, const struct lines *ls, size_t from, size_t k,
		      float lead)
{
	float h = (float)k * lead + 2 * CELL_PAD;
	for (size_t i = 0; i < r->n; i++) {
		const struct cell *c = &r->c[i];
		if (r->border)
			box(d, c->x, d->y - h, c->w, h, r->fill);
		for (size_t j = from; j < from + k && j < ls[i].n; j++)
			draw_line(d, c->st, c->x + CELL_PAD, c->w - 2 * CELL_PAD,
				  d->y - CELL_PAD - (float)(j - from) * lead, ls[i].v[j]);
	}
	advance(d, h);
}

/* Draws a row, moving it whole to a new page (repeating header there, when
 * given) unless it is taller than a page, in which case it is split. */
static void row(struct doc *d, const struct row *r, const struct row *header)
{
	struct lines ls[MAX_COLS];
	size_t n = row_wrap(d, r, ls), from = 0;
	float lead = row_lead(r);
	size_t per_page = (size_t)((TOP - BOTTOM - 2 * CELL_PAD) / lead);
	while (from < n) {
		size_t left = n - from, fit = lines_left(d, lead);
		if (fit < left && !d->fresh && (fit == 0 || left <= per_page)) {
			new_page(d);
			if (header) {
				row(d, header, NULL);
				d->fresh = true;
			}
			continue;
		}
		size_t k = fit < left ? fit : left;
		paint_row(d, r, ls, from, k ? k : 1, lead);
		from += k ? k : 1;
	}
}

/* ---- the sections ------------------------------------------------------ */

static void letterhead(struct doc *d, const char *const *lines)
{
	if (!lines || !lines[0])
		return;
	for (size_t i = 0; lines[i]; i++) {
		struct style st = {d->bold, i == 0 ? 15.0f : 11.0f, CENTER, false};
		flow(d, &st, NULL, 0, lines[i]);
	}
	room(d, 8);
	d->y -= 4;
	rule(d, MARGIN, d->y, PAGE_W - MARGIN, 1.8f);
	rule(d, MARGIN, d->y - 3, PAGE_W - MARGIN, 0.5f);
	advance(d, 3);
	gap(d, 18);
}

const char *pdf_ba_title(const char *kind)
{
	if (kind && strcmp(kind, "pembangunan") == 0)
		return "BERITA ACARA KESEPAKATAN PEMBANGUNAN APLIKASI";
	if (kind && strcmp(kind, "pengembangan") == 0)
		return "BERITA ACARA KESEPAKATAN PENGEMBANGAN APLIKASI";
	if (kind && strcmp(kind, "integrasi") == 0)
		return "BERITA ACARA KESEPAKATAN INTEGRASI APLIKASI";
	return "BERITA ACARA KESEPAKATAN";
}

const char *pdf_status_word(const char *status)
{
	static const char *const words[][2] = {
		{"draft", "Draf"},
		{"awaiting_signatures", "Menunggu tanda tangan"},
		{"signed", "Ditandatangani"},
	};
	if (!status)
		return "";
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i][0], status) == 0)
			return words[i][1];
	return status;
}

static const char *ba_title(const struct pdf_berita_acara *ba)
{
	return ba->title ? ba->title : pdf_ba_title(ba->kind);
}

static void title(struct doc *d, const struct pdf_berita_acara *ba)
{
	struct style big = {d->bold, 14, CENTER, false}, body = {d->regular, 11, CENTER, false};
	flow(d, &big, NULL, 0, ba_title(ba));
	flow(d, &body, NULL, 0, arena_printf(&d->mem, "Nomor: %s", S(ba->number)));
	gap(d, 16);
}

static void opening(struct doc *d, const struct pdf_berita_acara *ba)
{
	struct style body = {d->regular, 11, LEFT, false};
	flow(d, &body, NULL, 0,
	     arena_printf(&d->mem,
			  "Pada tanggal %s, telah disepakati pengembangan aplikasi \"%s\" atas usulan %s, oleh:",
			  date_long(d, ba->date), S(ba->request_title), S(ba->agency_name)));
	gap(d, 4);
	flow(d, &body, "1.", 16, ba->party_first);
	flow(d, &body, "2.", 16, ba->party_second);
}

/* A section heading, moved to the next page when it would end up alone. */
static void heading(struct doc *d, const char *utf8)
{
	struct style st = {d->bold, 12, LEFT, false};
	gap(d, 14);
	room(d, st.size * LEADING + 3 * 11 * LEADING);
	flow(d, &st, NULL, 0, utf8);
	gap(d, 4);
}

static void scope(struct doc *d, const struct pdf_berita_acara *ba)
{
	struct style body = {d->regular, 11, LEFT, false};
	heading(d, "Ruang lingkup");
	flow(d, &body, NULL, 0, ba->scope_summary);
	if (ba->features && ba->features[0])
		gap(d, 6);
	for (size_t i = 0; ba->features && ba->features[i]; i++)
		flow(d, &body, "\x95", 14, ba->features[i]); /* WinAnsi bullet */
}

/* One table row: No | Kegiatan | Mulai | Selesai. */
static struct row timeline_row(const struct style *st, const char *const cols[4], bool header)
{
	static const float w[4] = {30, TEXT_W - 30 - 2 * 76, 76, 76};
	struct row r = {.n = 4, .border = true, .fill = header};
	float x = MARGIN;
	for (size_t i = 0; i < 4; i++) {
		r.c[i] = (struct cell){cols[i], i == 1 ? &st[0] : &st[1], x, w[i]};
		x += w[i];
	}
	return r;
}

static void timeline(struct doc *d, const struct pdf_berita_acara *ba)
{
	const struct style head[2] = {{d->bold, 10, LEFT, false}, {d->bold, 10, CENTER, false}};
	const struct style cell[2] = {{d->regular, 10, LEFT, false}, {d->regular, 10, CENTER, false}};
	const char *const titles[4] = {"No", "Kegiatan", "Mulai", "Selesai"};
	struct row hdr = timeline_row(head, titles, true);
	heading(d, "Jadwal pelaksanaan");
	if (ba->nmilestones == 0) {
		flow(d, &cell[0], NULL, 0, "Belum ada jadwal.");
		return;
	}
	row(d, &hdr, NULL);
	for (size_t i = 0; i < ba->nmilestones; i++) {
		const struct pdf_milestone *m = &ba->milestones[i];
		const char *cols[4] = {arena_printf(&d->mem, "%zu", i + 1), text(d, m->name),
				       text(d, date_dmy(d, m->start)), text(d, date_dmy(d, m->end))};
		struct row r = timeline_row(cell, cols, false);
		row(d, &r, &hdr);
	}
}

/* The rows of up to two signers side by side: label, name, NIP, state. */
static void signer_rows(struct doc *d, const struct pdf_signer *sg, size_t k, const struct style st[4],
			struct row rows[4])
{
	float w = TEXT_W / (float)k;
	for (size_t j = 0; j < k; j++) {
		const char *t[4] = {
			text(d, sg[j].party), text(d, sg[j].name),
			sg[j].nip ? text(d, arena_printf(&d->mem, "NIP. %s", sg[j].nip)) : "",
			sg[j].signed_at ? text(d, arena_printf(&d->mem, "Ditandatangani secara elektronik: %s",
							       sg[j].signed_at))
					: "Belum ditandatangani",
		};
		for (size_t i = 0; i < 4; i++)
			rows[i].c[j] = (struct cell){t[i], &st[i], MARGIN + (float)j * w, w};
	}
	for (size_t i = 0; i < 4; i++)
		rows[i].n = k;
}

static void signer_group(struct doc *d, const struct pdf_signer *sg, size_t k)
{
	const struct style st[4] = {{d->regular, 11, CENTER, false}, {d->bold, 11, CENTER, true},
				    {d->regular, 11, CENTER, false}, {d->regular, 9, CENTER, false}};
	struct row rows[4] = {{.n = 0}};
	signer_rows(d, sg, k, st, rows);
	float h = SIGN_SPACE;
	for (size_t i = 0; i < 4; i++)
		h += row_height(d, &rows[i]);
	if (h <= TOP - BOTTOM) /* kept together when a page can hold it */
		room(d, h);
	row(d, &rows[0], NULL);
	gap(d, SIGN_SPACE);
	for (size_t i = 1; i < 4; i++)
		row(d, &rows[i], NULL);
}

static void signatures(struct doc *d, const struct pdf_berita_acara *ba)
{
	struct style body = {d->regular, 11, LEFT, false};
	gap(d, 14);
	flow(d, &body, NULL, 0, "Demikian Berita Acara ini dibuat untuk dipergunakan sebagaimana mestinya.");
	for (size_t i = 0; i < ba->nsigners; i += 2) {
		gap(d, 20);
		signer_group(d, ba->signers + i, ba->nsigners - i < 2 ? ba->nsigners - i : 2);
	}
}

/* One centred footer line, shrunk when wider than the text width. */
static void footer_line(struct doc *d, const char *t, float top)
{
	struct style st = {d->regular, 8, CENTER, false};
	float w = measure(d, &st, t, strlen(t));
	if (w > TEXT_W)
		st.size *= TEXT_W / w;
	draw_line(d, &st, MARGIN, TEXT_W, top, (struct line){t, strlen(t)});
}

/* "DRAF" across the current page, diagonal, in a translucent grey so the
 * text under it stays legible. */
static void watermark(struct doc *d)
{
	static const char word[] = "DRAF";
	const float size = 150, angle = 0.785398f; /* 45 degrees */
	HPDF_ExtGState gs = HPDF_CreateExtGState(d->pdf);
	HPDF_ExtGState_SetAlphaFill(gs, 0.18f);
	HPDF_Page_GSave(d->page);
	HPDF_Page_SetExtGState(d->page, gs);
	HPDF_Page_SetRGBFill(d->page, 0.55f, 0.1f, 0.1f);
	HPDF_Page_BeginText(d->page);
	HPDF_Page_SetFontAndSize(d->page, d->bold, size);
	float w = HPDF_Page_TextWidth(d->page, word), c = cosf(angle), s = sinf(angle);
	/* centre the word's baseline midpoint on the page centre */
	float x = PAGE_W / 2 - c * w / 2 + s * size / 3, y = PAGE_H / 2 - s * w / 2 - c * size / 3;
	HPDF_Page_SetTextMatrix(d->page, c, s, -s, c, x, y);
	HPDF_Page_ShowText(d->page, word);
	HPDF_Page_EndText(d->page);
	HPDF_Page_GRestore(d->page);
	d->cur_font = NULL;
}

/* On every page: a rule, the info line (WinAnsi), "Halaman N dari M", and
 * the DRAF watermark when draft. */
static void footers(struct doc *d, const char *info, bool draft)
{
	for (unsigned i = 0; i < d->npages && !d->error; i++) {
		d->page = HPDF_GetPageByIndex(d->pdf, i);
		d->cur_font = NULL;
		if (draft)
			watermark(d);
		rule(d, MARGIN, MARGIN - 2, PAGE_W - MARGIN, 0.4f);
		footer_line(d, info, MARGIN - 5);
		footer_line(d, arena_printf(&d->mem, "Halaman %u dari %u", i + 1, d->npages), MARGIN - 16);
	}
}

/* ---- the document ------------------------------------------------------ */

static bool start(struct doc *d, const char *title, const char *number)
{
	d->pdf = HPDF_New(on_error, d);
	if (!d->pdf)
		return false;
	HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
	d->regular = HPDF_GetFont(d->pdf, "Helvetica", "WinAnsiEncoding");
	d->bold = HPDF_GetFont(d->pdf, "Helvetica-Bold", "WinAnsiEncoding");
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_TITLE,
			 info_text(d, arena_printf(&d->mem, "%s %s", title, S(number))));
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, "alurd");
	new_page(d);
	return !d->error;
}

/* Saves to libharu's memory stream and copies it out into malloc'd memory. */
static bool save(struct doc *d, unsigned char **out, size_t *len)
{
	HPDF_SaveToStream(d->pdf);
	HPDF_UINT32 size = HPDF_GetStreamSize(d->pdf), got = size;
	if (d->error || size == 0)
		return false;
	unsigned char *buf = malloc(size);
	if (!buf)
		abort();
	HPDF_ReadFromStream(d->pdf, buf, &got);
	if (d->error || got != size) {
		free(buf);
		return false;
	}
	*out = buf;
	*len = size;
	return true;
}

/* Saves the document when ok, reports a failure once, frees everything. */
static bool finish(struct doc *d, bool ok, unsigned char **pdf, size_t *len, struct err *e)
{
	if (ok)
		ok = save(d, pdf, len);
	if (!ok) {
		err_set(e, ERR_INTERNAL, "pdf.render_failed", "The document could not be rendered as PDF.");
		err_log(e, "libharu error 0x%04lX, detail %lu", (unsigned long)d->error, (unsigned long)d->detail);
	}
	HPDF_Free(d->pdf);
	free(d->scratch);
	arena_cleanup(&d->mem);
	return ok;
}

bool pdf_berita_acara(const struct pdf_berita_acara *ba, unsigned char **pdf, size_t *len, struct err *e)
{
	struct doc d = {.pdf = NULL};
	arena_init(&d.mem);
	*pdf = NULL;
	*len = 0;
	bool ok = start(&d, ba_title(ba), ba->number);
	if (ok) {
		letterhead(&d, ba->letterhead);
		title(&d, ba);
		opening(&d, ba);
		scope(&d, ba);
		timeline(&d, ba);
		signatures(&d, ba);
		footers(&d,
			text(&d, arena_printf(&d.mem, "Status: %s \xC2\xB7 SHA-256: %s", pdf_status_word(ba->status),
					      S(ba->content_sha256))),
			!ba->status || strcmp(ba->status, "signed") != 0);
	}
	return finish(&d, ok, pdf, len, e);
}

/* ---- the Surat Tugas ----------------------------------------------------- */

/* One row of the team table: No | Nama | NIP | Jabatan. */
static struct row member_row(const struct style *st, const char *const cols[4], bool header)
{
	static const float w[4] = {30, 170, 130, TEXT_W - 30 - 170 - 130};
	struct row r = {.n = 4, .border = true, .fill = header};
	float x = MARGIN;
	for (size_t i = 0; i < 4; i++) {
		r.c[i] = (struct cell){cols[i], &st[i == 0 ? 1 : 0], x, w[i]};
		x += w[i];
	}
	return r;
}

static void team(struct doc *d, const struct pdf_surat_tugas *st)
{
	const struct style head[2] = {{d->bold, 10, LEFT, false}, {d->bold, 10, CENTER, false}};
	const struct style cell[2] = {{d->regular, 10, LEFT, false}, {d->regular, 10, CENTER, false}};
	const char *const titles[4] = {"No", "Nama", "NIP", "Jabatan"};
	struct row hdr = member_row(head, titles, true);
	row(d, &hdr, NULL);
	for (size_t i = 0; i < st->nmembers; i++) {
		const struct pdf_person *m = &st->members[i];
		const char *cols[4] = {arena_printf(&d->mem, "%zu", i + 1), text(d, m->name), text(d, m->nip ? m->nip : "-"),
				       text(d, m->position ? m->position : "-")};
		struct row r = member_row(cell, cols, false);
		row(d, &r, &hdr);
	}
}

static void st_signer(struct doc *d, const struct pdf_surat_tugas *st)
{
	const struct style right[4] = {{d->regular, 11, LEFT, false}, {d->bold, 11, LEFT, true},
				       {d->regular, 11, LEFT, false}, {d->regular, 11, LEFT, false}};
	float x = MARGIN + TEXT_W / 2, w = TEXT_W / 2;
	const char *lines[4] = {
		text(d, arena_printf(&d->mem, "Ditetapkan di %s, %s", S(st->place), date_long(d, st->date))),
		text(d, S(st->issuer.name)),
		st->issuer.nip ? text(d, arena_printf(&d->mem, "NIP. %s", st->issuer.nip)) : "",
		text(d, S(st->issuer_title)),
	};
	struct row rows[4];
	for (size_t i = 0; i < 4; i++)
		rows[i] = (struct row){.c = {{lines[i], &right[i], x, w}}, .n = 1};
	float h = SIGN_SPACE;
	for (size_t i = 0; i < 4; i++)
		h += row_height(d, &rows[i]);
	gap(d, 20);
	room(d, h);
	row(d, &rows[0], NULL);
	row(d, &rows[3], NULL);
	gap(d, SIGN_SPACE);
	row(d, &rows[1], NULL);
	row(d, &rows[2], NULL);
}

bool pdf_surat_tugas(const struct pdf_surat_tugas *st, unsigned char **pdf, size_t *len, struct err *e)
{
	struct doc d = {.pdf = NULL};
	arena_init(&d.mem);
	*pdf = NULL;
	*len = 0;
	bool ok = start(&d, "SURAT TUGAS", st->number);
	if (ok) {
		struct style big = {d.bold, 14, CENTER, true}, center = {d.regular, 11, CENTER, false},
			     body = {d.regular, 11, LEFT, false}, bold = {d.bold, 11, CENTER, false};
		letterhead(&d, st->letterhead);
		flow(&d, &big, NULL, 0, "SURAT TUGAS");
		flow(&d, &center, NULL, 0, arena_printf(&d.mem, "Nomor: %s", S(st->number)));
		heading(&d, "Dasar");
		flow(&d, &body, NULL, 0, st->basis);
		gap(&d, 12);
		flow(&d, &bold, NULL, 0, "MENUGASKAN");
		heading(&d, "Kepada");
		team(&d, st);
		heading(&d, "Untuk");
		flow(&d, &body, NULL, 0, st->purpose);
		st_signer(&d, st);
		footers(&d, text(&d, arena_printf(&d.mem, "Surat Tugas %s", S(st->number))), false);
	}
	return finish(&d, ok, pdf, len, e);
}
