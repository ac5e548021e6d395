/* test_documents.c — a request's typed, hashed, immutable files.
 *
 * The files are real, if tiny: a one-page PDF with a correct cross-reference
 * table, a 1x1 PNG (zlib stored block, CRCs), an 8x8 baseline JPEG (one DC
 * and one AC Huffman code), and DOCX, XLSX and ODT packages written by a
 * small stored-ZIP writer below (the ODT with its uncompressed "mimetype"
 * first, as ODF requires). Hashes are computed here with libsodium.
 *
 * The suite's daemon runs with ALURD_MAX_UPLOAD=64k, so the size limit is
 * tested at its boundary (65536 bytes accepted, 65537 refused with 413).
 *
 * One suite (`test_documents documents`; ctest api_documents).
 */
#include <check.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/api/world.h"

#define UPLOAD_LIMIT 65536

static const char *sql_value(const char *sql)
{
	static char out[4][4096];
	static int next;
	char *buf = out[next++ % 4];
	ck_assert_msg(ts_sql_value(g_db, sql, buf, sizeof out[0]), "SQL failed: %s", sql);
	return buf;
}

/* ---- bytes ------------------------------------------------------------------ */

struct blob {
	unsigned char p[UPLOAD_LIMIT + 1024];
	size_t n;
};

static void put(struct blob *b, const void *bytes, size_t n)
{
	if (n == 0)
		return;
	ck_assert_uint_le(b->n + n, sizeof b->p);
	memcpy(b->p + b->n, bytes, n);
	b->n += n;
}

static void puts_(struct blob *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_u16le(struct blob *b, unsigned v)
{
	unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
	put(b, x, 2);
}

static void put_u32le(struct blob *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	put(b, x, 4);
}

static void put_u32be(struct blob *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
	put(b, x, 4);
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static const char *sha256_hex(const struct blob *b)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, b->p, b->n);
	static char hex[8][65];
	static int next;
	char *out = hex[next++ % 8];
	sodium_bin2hex(out, 65, h, sizeof h);
	return out;
}

/* A one-page PDF whose xref offsets are right; pad adds a comment of that
 * many bytes (to reach an exact size). */
static void make_pdf(struct blob *b, size_t pad)
{
	b->n = 0;
	size_t off[4];
	puts_(b, "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
	off[1] = b->n;
	puts_(b, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	off[2] = b->n;
	puts_(b, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
	off[3] = b->n;
	puts_(b, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n");
	size_t xref = b->n;
	puts_(b, "xref\n0 4\n0000000000 65535 f \n");
	for (int i = 1; i < 4; i++)
		puts_(b, fmt("%010zu 00000 n \n", off[i]));
	puts_(b, fmt("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref));
	if (pad) {
		puts_(b, "%");
		for (size_t i = 1; i < pad; i++)
			put(b, "x", 1);
	}
}

static void png_chunk(struct blob *b, const char *type, const unsigned char *data, size_t n)
{
	put_u32be(b, (uint32_t)n);
	size_t at = b->n;
	put(b, type, 4);
	put(b, data, n);
	put_u32be(b, crc32_of(b->p + at, 4 + n));
}

/* A 1x1 8-bit grey PNG. */
static void make_png(struct blob *b)
{
	static const unsigned char sig[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
	static const unsigned char ihdr[] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
	/* zlib: header, one stored block of [filter 0, pixel 0x80], Adler-32 */
	static const unsigned char idat[] = {0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF, 0x00, 0x80, 0x00, 0x82, 0x00, 0x81};
	b->n = 0;
	put(b, sig, sizeof sig);
	png_chunk(b, "IHDR", ihdr, sizeof ihdr);
	png_chunk(b, "IDAT", idat, sizeof idat);
	png_chunk(b, "IEND", NULL, 0);
}

/* An 8x8 grey baseline JPEG: every coefficient zero, so one DC code
 * (category 0) and one AC code (end of block), one bit each. */
static void make_jpeg(struct blob *b)
{
	static const unsigned char head[] = {
		0xFF, 0xD8,                                                                   /* SOI */
		0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
		0xFF, 0xDB, 0x00, 0x43, 0x00, /* DQT, table 0, then 64 ones */
	};
	static const unsigned char tail[] = {
		0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00, /* SOF0 8x8, 1 component */
		0xFF, 0xC4, 0x00, 0x14, 0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, /* DC: "0" -> 0 */
		0xFF, 0xC4, 0x00, 0x14, 0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, /* AC: "0" -> EOB */
		0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,                         /* SOS */
		0x3F,                                                                               /* 0, 0, padding */
		0xFF, 0xD9,                                                                         /* EOI */
	};
	b->n = 0;
	put(b, head, sizeof head);
	for (int i = 0; i < 64; i++)
		put(b, "\x01", 1);
	put(b, tail, sizeof tail);
}

/* A ZIP archive of stored (uncompressed) members, in the given order. */
struct member {
	const char *name, *content;
};

static void make_zip(struct blob *b, const struct member *m, int n)
{
	size_t offsets[16];
	b->n = 0;
	ck_assert_int_le(n, 16);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(m[i].content);
		uint32_t crc = crc32_of((const unsigned char *)m[i].content, len);
		offsets[i] = b->n;
		put_u32le(b, 0x04034b50);
		put_u16le(b, 20);
		put_u16le(b, 0);    /* flags */
		put_u16le(b, 0);    /* stored */
		put_u16le(b, 0);    /* time */
		put_u16le(b, 0x21); /* 1980-01-01 */
		put_u32le(b, crc);
		put_u32le(b, (uint32_t)len);
		put_u32le(b, (uint32_t)len);
		put_u16le(b, (unsigned)strlen(m[i].name));
		put_u16le(b, 0);
		puts_(b, m[i].name);
		put(b, m[i].content, len);
	}
	size_t cd = b->n;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(m[i].content);
		put_u32le(b, 0x02014b50);
		put_u16le(b, 20);
		put_u16le(b, 20);
		put_u16le(b, 0);
		put_u16le(b, 0);
		put_u16le(b, 0);
		put_u16le(b, 0x21);
		put_u32le(b, crc32_of((const unsigned char *)m[i].content, len));
		put_u32le(b, (uint32_t)len);
		put_u32le(b, (uint32_t)len);
		put_u16le(b, (unsigned)strlen(m[i].name));
		put_u16le(b, 0); /* extra */
		put_u16le(b, 0); /* comment */
		put_u16le(b, 0); /* disk */
		put_u16le(b, 0); /* internal attributes */
		put_u32le(b, 0); /* external attributes */
		put_u32le(b, (uint32_t)offsets[i]);
		puts_(b, m[i].name);
	}
	size_t cd_size = b->n - cd;
	put_u32le(b, 0x06054b50);
	put_u16le(b, 0);
	put_u16le(b, 0);
	put_u16le(b, (unsigned)n);
	put_u16le(b, (unsigned)n);
	put_u32le(b, (uint32_t)cd_size);
	put_u32le(b, (uint32_t)cd);
	put_u16le(b, 0);
}

#define XML "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define RELS_DEFAULTS                                                                                       \
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>" \
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"

static void make_docx(struct blob *b)
{
	const struct member m[] = {
		{"[Content_Types].xml",
		 XML "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" RELS_DEFAULTS
		     "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
		     "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"},
		{"_rels/.rels",
		 XML "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		     "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
		     "officeDocument\" Target=\"word/document.xml\"/></Relationships>"},
		{"word/document.xml",
		 XML "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>"
		     "<w:p><w:r><w:t>Proses bisnis</w:t></w:r></w:p></w:body></w:document>"},
	};
	make_zip(b, m, 3);
}

static void make_xlsx(struct blob *b)
{
	const struct member m[] = {
		{"[Content_Types].xml",
		 XML "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" RELS_DEFAULTS
		     "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/"
		     "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
		     "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/"
		     "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>"},
		{"_rels/.rels",
		 XML "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		     "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
		     "officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
		{"xl/workbook.xml",
		 XML "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
		     "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
		     "<sheets><sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"},
		{"xl/_rels/workbook.xml.rels",
		 XML "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		     "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
		     "worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"},
		{"xl/worksheets/sheet1.xml",
		 XML "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
		     "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Data input</t></is></c></row></sheetData></worksheet>"},
	};
	make_zip(b, m, 5);
}

static void make_odt(struct blob *b)
{
	const struct member m[] = {
		{"mimetype", "application/vnd.oasis.opendocument.text"},
		{"META-INF/manifest.xml",
		 XML "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" "
		     "manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\" "
		     "manifest:media-type=\"application/vnd.oasis.opendocument.text\"/><manifest:file-entry "
		     "manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>"},
		{"content.xml",
		 XML "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
		     "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\"><office:body>"
		     "<office:text><text:p>Kesepakatan</text:p></office:text></office:body></office:document-content>"},
	};
	make_zip(b, m, 3);
}

/* ---- the suite -------------------------------------------------------------- */

#define T_PDF "application/pdf"
#define T_DOCX "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#define T_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define T_ODT "application/vnd.oasis.opendocument.text"

static void up(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	world_up("documents", (const char *const[]){"ALURD_MAX_UPLOAD=64k", NULL});
}

/* POST the bytes as who with Content-Type ct (NULL: none) to query. */
static struct ts_resp *upload(enum who who, const char *request_id, const char *query, const char *ct,
			      const struct blob *b)
{
	const char *h[] = {fmt("Authorization: Bearer %s", W[who].token), ct ? fmt("Content-Type: %s", ct) : NULL, NULL};
	return ts_http(g_d, "POST", fmt("/api/v1/requests/%s/documents%s", request_id, query), h, (const char *)b->p,
		       b->n);
}

static struct ts_resp *download(enum who who, const char *document_id, const char *if_none_match)
{
	return callh(who, "GET", fmt("/api/v1/documents/%s/content", document_id), NULL,
		     if_none_match ? fmt("If-None-Match: %s", if_none_match) : NULL, NULL);
}

static struct blob g_blob, g_other;
static struct uid g_req;
static char g_pdf_id[40];

static const struct {
	const char *name, *type, *doc_type, *filename;
	void (*make)(struct blob *);
} formats[] = {
	{"png", "image/png", "lainnya", "denah.png", make_png},
	{"jpeg", "image/jpeg", "lainnya", "foto-rapat.jpg", make_jpeg},
	{"docx", T_DOCX, "proses_bisnis", "proses-bisnis.docx", make_docx},
	{"xlsx", T_XLSX, "dokumen_awal", "data-input.xlsx", make_xlsx},
	{"odt", T_ODT, "dokumen_kesepakatan", "kesepakatan.odt", make_odt},
};

/* Uploads b and checks the answer, then downloads it byte for byte. */
static const char *upload_and_verify(const struct blob *b, const char *type, const char *doc_type, const char *filename)
{
	struct ts_resp *r = upload(PD_A, g_req.s, fmt("?type=%s&filename=%s", doc_type, filename), type, b);
	assert_status(r, 201);
	const char *id = fmt("%s", jstr(r, "id"));
	const char *sha = sha256_hex(b);
	ck_assert_pstr_eq(ts_header(r, "Location"), fmt("/api/v1/documents/%s", id));
	ck_assert_str_eq(jstr(r, "request_id"), g_req.s);
	ck_assert_str_eq(jstr(r, "type"), doc_type);
	ck_assert_str_eq(jstr(r, "filename"), filename);
	ck_assert_str_eq(jstr(r, "content_type"), type);
	ck_assert_int_eq(jint(r, "size"), (long long)b->n);
	ck_assert_str_eq(jstr(r, "sha256"), sha);
	ck_assert_str_eq(jstr(r, "uploaded_by"), W[PD_A].id);
	/* the metadata by id */
	struct ts_resp *m = call(KASI, "GET", fmt("/api/v1/documents/%s", id), NULL);
	assert_status(m, 200);
	ck_assert_msg(json_equal(m->json, r->json), "GET differs:\n%s\n%s", m->body, r->body);
	/* the content, as stored */
	struct ts_resp *d = download(AUDITOR, id, NULL);
	assert_status(d, 200);
	ck_assert_msg(d->len == b->n && memcmp(d->body, b->p, b->n) == 0, "%s: %zu bytes came back for %zu", filename,
		      d->len, b->n);
	ck_assert_str_eq(d->content_type, type);
	ck_assert_pstr_eq(ts_header(d, "ETag"), fmt("\"%s\"", sha));
	ck_assert_pstr_eq(ts_header(d, "Content-Disposition"),
			  fmt("attachment; filename=\"%s\"; filename*=UTF-8''%s", filename, filename));
	ck_assert_pstr_eq(ts_header(d, "X-Content-Type-Options"), "nosniff");
	/* a cached copy is still good */
	struct ts_resp *c = download(PD_A, id, fmt("\"%s\"", sha));
	assert_status(c, 304);
	ck_assert_uint_eq(c->len, 0);
	ck_assert_pstr_eq(ts_header(c, "ETag"), fmt("\"%s\"", sha));
	c = download(PD_A, id, fmt("\"%064d\"", 0));
	assert_status(c, 200);
	return id;
}

START_TEST(test_upload_a_pdf)
{
	g_req = request_at(PD_A, AT_SUBMITTED, "Permohonan Berkas", NULL, NULL);
	make_pdf(&g_blob, 0);
	const char *id = upload_and_verify(&g_blob, T_PDF, "surat_permohonan", "surat-permohonan.pdf");
	snprintf(g_pdf_id, sizeof g_pdf_id, "%s", id);
	struct ts_resp *a = call(AUDITOR, "GET", fmt("/api/v1/requests/%s/audit", g_req.s), NULL);
	json_t *items = json_object_get(a->json, "items");
	json_t *last = json_array_get(items, json_array_size(items) - 1);
	ck_assert_str_eq(json_string_value(json_object_get(last, "action")), "document.upload");
	ck_assert_str_eq(json_string_value(json_object_get(last, "record_id")), id);
}
END_TEST

START_TEST(test_upload_each_format)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		formats[i].make(&g_blob);
		upload_and_verify(&g_blob, formats[i].type, formats[i].doc_type, formats[i].filename);
	}
	/* the list has them all, oldest first */
	struct ts_resp *l = call(PD_A, "GET", fmt("/api/v1/requests/%s/documents", g_req.s), NULL);
	assert_status(l, 200);
	json_t *items = json_object_get(l->json, "items");
	/* after the letter and business process the submission needed */
	ck_assert_int_eq(json_array_size(items), 3 + sizeof formats / sizeof formats[0]);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 2), "id")), g_pdf_id);
	ck_assert(json_is_null(json_object_get(l->json, "next_cursor")));
	/* the same bytes again are a new document (a new version), never a change */
	make_pdf(&g_blob, 0);
	struct ts_resp *r = upload(PD_A, g_req.s, "?type=surat_permohonan&filename=surat-permohonan.pdf", T_PDF, &g_blob);
	assert_status(r, 201);
	ck_assert_str_ne(jstr(r, "id"), g_pdf_id);
	ck_assert_str_eq(jstr(r, "sha256"), sha256_hex(&g_blob));
	/* staff upload too; the e-office only to the requests it submitted */
	make_png(&g_blob);
	assert_status(upload(KASI, g_req.s, "?type=lainnya&filename=x.png", "image/png", &g_blob), 201);
	assert_problem(upload(CLIENT_A, g_req.s, "?type=lainnya&filename=y.png", "IMAGE/PNG; q=1", &g_blob), 403,
		       "request.not_submitter");
	struct uid own = new_request_json(CLIENT_A, "{\"kind\":\"integrasi\",\"title\":\"Berkas E-Office\","
						    "\"eoffice_ref\":\"EO/BERKAS/1\"}");
	assert_status(upload(CLIENT_A, own.s, "?type=lainnya&filename=y.png", "IMAGE/PNG; q=1", &g_blob), 201);
}
END_TEST

START_TEST(test_filename_in_content_disposition)
{
	make_pdf(&g_blob, 0);
	/* "Surat – Dinas (1).pdf": a space, an en dash, parentheses */
	struct ts_resp *r = upload(PD_A, g_req.s, "?type=lainnya&filename=Surat%20%E2%80%93%20Dinas%20(1).pdf", T_PDF,
				   &g_blob);
	assert_status(r, 201);
	ck_assert_str_eq(jstr(r, "filename"), "Surat \xE2\x80\x93 Dinas (1).pdf");
	struct ts_resp *d = download(PD_A, jstr(r, "id"), NULL);
	assert_status(d, 200);
	ck_assert_pstr_eq(ts_header(d, "Content-Disposition"),
			  "attachment; filename=\"Surat ___ Dinas (1).pdf\"; "
			  "filename*=UTF-8''Surat%20%E2%80%93%20Dinas%20%281%29.pdf");
	/* names that could escape the header or a path are refused */
	const char *bad[] = {"a%2Fb.pdf", "a%5Cb.pdf", "a%22b.pdf", "..", "a%0Ab.pdf", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = upload(PD_A, g_req.s, fmt("?type=lainnya&filename=%s", bad[i]), T_PDF, &g_blob);
		assert_problem(r, 400, "request.invalid");
		ck_assert_msg(has_field_error(r, "filename"), "filename=%s: %s", bad[i], r->body);
	}
}
END_TEST

START_TEST(test_content_must_match_the_type)
{
	struct blob *text = &g_other;
	text->n = 0;
	puts_(text, "Ini hanya teks biasa, bukan PDF.\n");
	struct ts_resp *r = upload(PD_A, g_req.s, "?type=surat_permohonan&filename=palsu.pdf", T_PDF, text);
	assert_problem(r, 415, "document.content_mismatch");
	make_png(&g_blob);
	assert_problem(upload(PD_A, g_req.s, "?type=lainnya&filename=a.jpg", "image/jpeg", &g_blob), 415,
		       "document.content_mismatch");
	make_xlsx(&g_blob);
	assert_problem(upload(PD_A, g_req.s, "?type=lainnya&filename=a.docx", T_DOCX, &g_blob), 415,
		       "document.content_mismatch");
	make_docx(&g_blob);
	assert_problem(upload(PD_A, g_req.s, "?type=lainnya&filename=a.odt", T_ODT, &g_blob), 415,
		       "document.content_mismatch");
	/* a ZIP that is no office package */
	const struct member plain[] = {{"catatan.txt", "bukan dokumen kantor"}};
	make_zip(&g_blob, plain, 1);
	assert_problem(upload(PD_A, g_req.s, "?type=lainnya&filename=a.docx", T_DOCX, &g_blob), 415,
		       "document.content_mismatch");
	/* types that are not accepted at all */
	assert_problem(upload(PD_A, g_req.s, "?type=lainnya&filename=a.txt", "text/plain", text), 415,
		       "document.unsupported_type");
	assert_problem(upload(PD_A, g_req.s, "?type=lainnya&filename=a.zip", "application/zip", &g_blob), 415,
		       "document.unsupported_type");
	assert_problem(upload(PD_A, g_req.s, "?type=lainnya&filename=a.pdf", "application/octet-stream", &g_blob), 415,
		       "document.unsupported_type");
	r = upload(PD_A, g_req.s, "?type=lainnya&filename=a.pdf", NULL, &g_blob);
	assert_problem(r, 415, NULL);
	ck_assert_str_eq(sql_value(fmt("SELECT count(*) FROM documents WHERE filename LIKE 'a.%%' OR filename = 'palsu.pdf'")),
			 "0");
}
END_TEST

START_TEST(test_query_is_checked)
{
	make_pdf(&g_blob, 0);
	struct ts_resp *r = upload(PD_A, g_req.s, "?filename=tanpa-jenis.pdf", T_PDF, &g_blob);
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "type"), "required");
	r = upload(PD_A, g_req.s, "?type=kuitansi&filename=x.pdf", T_PDF, &g_blob);
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "type"), "invalid");
	r = upload(PD_A, g_req.s, "?type=lainnya", T_PDF, &g_blob);
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "filename"), "required");
	r = upload(PD_A, g_req.s, "?type=lainnya&filename=x.pdf&version=2", T_PDF, &g_blob);
	assert_problem(r, 400, "request.invalid");
	ck_assert_str_eq(field_error_code(r, "version"), "unknown_parameter");
	/* an empty file */
	g_other.n = 0;
	r = upload(PD_A, g_req.s, "?type=lainnya&filename=kosong.pdf", T_PDF, &g_other);
	assert_problem(r, 400, "document.empty");
	ck_assert_str_eq(sql_value("SELECT count(*) FROM documents WHERE filename IN ('tanpa-jenis.pdf', 'kosong.pdf')"),
			 "0");
}
END_TEST

START_TEST(test_size_limit)
{
	/* exactly the limit: accepted */
	make_pdf(&g_blob, 0);
	make_pdf(&g_blob, UPLOAD_LIMIT - g_blob.n);
	ck_assert_uint_eq(g_blob.n, UPLOAD_LIMIT);
	struct ts_resp *r = upload(PD_A, g_req.s, "?type=lainnya&filename=batas.pdf", T_PDF, &g_blob);
	assert_status(r, 201);
	ck_assert_int_eq(jint(r, "size"), UPLOAD_LIMIT);
	ck_assert_str_eq(jstr(r, "sha256"), sha256_hex(&g_blob));
	/* one byte more: 413 */
	put(&g_blob, "x", 1);
	r = upload(PD_A, g_req.s, "?type=lainnya&filename=lewat.pdf", T_PDF, &g_blob);
	assert_problem(r, 413, "http.body_too_large");
	/* the same without Content-Length (chunked): found while reading */
	char head[4096];
	int n = snprintf(head, sizeof head,
			 "POST /api/v1/requests/%s/documents?type=lainnya&filename=lewat.pdf HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			 "Authorization: Bearer %s\r\nContent-Type: application/pdf\r\nTransfer-Encoding: chunked\r\n\r\n",
			 g_req.s, W[PD_A].token);
	static char req[UPLOAD_LIMIT + 8192];
	memcpy(req, head, (size_t)n);
	size_t len = (size_t)n;
	for (size_t at = 0; at < g_blob.n; at += 8192) {
		size_t k = g_blob.n - at < 8192 ? g_blob.n - at : 8192;
		len += (size_t)snprintf(req + len, 16, "%zx\r\n", k);
		memcpy(req + len, g_blob.p + at, k);
		len += k;
		memcpy(req + len, "\r\n", 2);
		len += 2;
	}
	memcpy(req + len, "0\r\n\r\n", 5);
	len += 5;
	static char out[8192];
	ts_raw(g_d, req, len, out, sizeof out, 5000);
	ck_assert_msg(ts_raw_status(out) == 413, "chunked upload over the limit: %.300s", out);
	json_t *j = ts_raw_json(out);
	ck_assert_str_eq(json_string_value(json_object_get(j, "code")), "http.body_too_large");
	ck_assert_str_eq(sql_value("SELECT count(*) FROM documents WHERE filename = 'lewat.pdf'"), "0");
	/* JSON routes keep their own limit */
	assert_status(call(PD_A, "GET", fmt("/api/v1/requests/%s", g_req.s), NULL), 200);
}
END_TEST

START_TEST(test_other_agency_and_roles)
{
	make_pdf(&g_blob, 0);
	/* pd of B: the request and its documents do not exist for it */
	assert_problem(call(PD_B, "GET", fmt("/api/v1/requests/%s/documents", g_req.s), NULL), 404, "request.not_found");
	assert_problem(upload(PD_B, g_req.s, "?type=lainnya&filename=b.pdf", T_PDF, &g_blob), 404, "request.not_found");
	assert_problem(call(PD_B, "GET", fmt("/api/v1/documents/%s", g_pdf_id), NULL), 404, "document.not_found");
	assert_problem(download(PD_B, g_pdf_id, NULL), 404, "document.not_found");
	assert_problem(download(PD_B, g_pdf_id, "*"), 404, "document.not_found");
	/* an e-office client of A on B's documents */
	struct uid of_b = request_at(PD_B, AT_DRAFT, "Berkas Dinas Beta", NULL, NULL);
	struct ts_resp *r = upload(PD_B, of_b.s, "?type=surat_permohonan&filename=beta.pdf", T_PDF, &g_blob);
	assert_status(r, 201);
	const char *doc_b = fmt("%s", jstr(r, "id"));
	assert_problem(download(CLIENT_A, doc_b, NULL), 404, "document.not_found");
	assert_problem(download(PD_A, doc_b, NULL), 404, "document.not_found");
	assert_status(download(CLIENT_ALL, doc_b, NULL), 200);
	/* unknown and malformed ids */
	assert_problem(download(ADMIN, "7d444840-9dc0-11d1-b245-5ffdce74fad2", NULL), 404, "document.not_found");
	assert_problem(download(ADMIN, "bukan-uuid", NULL), 404, "document.not_found");
	assert_problem(upload(PD_A, "bukan-uuid", "?type=lainnya&filename=x.pdf", T_PDF, &g_blob), 404, "request.not_found");
	/* who may upload: not the auditor, not without a token */
	assert_problem(upload(AUDITOR, g_req.s, "?type=lainnya&filename=x.pdf", T_PDF, &g_blob), 403, "auth.forbidden");
	const char *h[] = {"Content-Type: application/pdf", NULL};
	r = ts_http(g_d, "POST", fmt("/api/v1/requests/%s/documents?type=lainnya&filename=x.pdf", g_req.s), h,
		    (const char *)g_blob.p, g_blob.n);
	assert_problem(r, 401, "auth.missing_token");
	ck_assert_str_eq(sql_value("SELECT count(*) FROM documents WHERE filename IN ('b.pdf', 'x.pdf')"), "0");
}
END_TEST

START_TEST(test_closed_request_takes_no_documents)
{
	struct uid id = request_at(PD_A, AT_SUBMITTED, "Berkas Ditarik", NULL, NULL);
	make_pdf(&g_blob, 0);
	assert_status(upload(PD_A, id.s, "?type=surat_permohonan&filename=sebelum.pdf", T_PDF, &g_blob), 201);
	assert_status(call(PD_A, "POST", fmt("/api/v1/requests/%s/withdraw", id.s), NULL), 200);
	assert_problem(upload(PD_A, id.s, "?type=lainnya&filename=sesudah.pdf", T_PDF, &g_blob), 409, "request.closed");
	/* what was there stays readable */
	struct ts_resp *l = call(PD_A, "GET", fmt("/api/v1/requests/%s/documents", id.s), NULL);
	assert_status(l, 200);
	ck_assert_int_eq(json_array_size(json_object_get(l->json, "items")), 3); /* with the two of the submission */
	ck_assert_str_eq(sql_value("SELECT count(*) FROM documents WHERE filename = 'sesudah.pdf'"), "0");
}
END_TEST

START_TEST(test_documents_are_immutable)
{
	/* the database itself refuses a change or a removal */
	ck_assert(!ts_sql(g_db, fmt("UPDATE documents SET filename = 'diubah.pdf' WHERE id = '%s'", g_pdf_id)));
	ck_assert(!ts_sql(g_db, fmt("DELETE FROM documents WHERE id = '%s'", g_pdf_id)));
	make_pdf(&g_blob, 0);
	struct ts_resp *d = download(PD_A, g_pdf_id, NULL);
	assert_status(d, 200);
	ck_assert_msg(d->len == g_blob.n && memcmp(d->body, g_blob.p, g_blob.n) == 0, "the stored PDF changed");
	ck_assert_str_eq(sql_value(fmt("SELECT sha256 = encode(sha256(content), 'hex') FROM documents WHERE id = '%s'",
				       g_pdf_id)),
			 "t");
}
END_TEST

static Suite *documents_suite(void)
{
	Suite *s = suite_create("documents");
	TCase *tc = world_tcase("documents", up);
	tcase_add_test(tc, test_upload_a_pdf);
	tcase_add_test(tc, test_upload_each_format);
	tcase_add_test(tc, test_filename_in_content_disposition);
	tcase_add_test(tc, test_content_must_match_the_type);
	tcase_add_test(tc, test_query_is_checked);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_other_agency_and_roles);
	tcase_add_test(tc, test_closed_request_takes_no_documents);
	tcase_add_test(tc, test_documents_are_immutable);
	world_add_clean_stop(tc);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	static Suite *(*const suites[])(void) = {documents_suite, NULL};
	return world_main(argc, argv, suites);
}
