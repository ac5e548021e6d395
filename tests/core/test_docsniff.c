/* test_docsniff.c — telling formats apart by their first bytes.
 *
 * The inputs are built here byte by byte: magic numbers, and ZIP archives
 * made of stored (uncompressed) local file headers, the shape DOCX, XLSX and
 * ODT files have on disk, followed by a central directory and its end
 * record. The expected format of each input is a literal in its table.
 */
#include <string.h>

#include "core/docsniff.h"
#include "tests/core/suites.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- magic numbers ---- */

#define BYTES(...) ((const unsigned char[]){__VA_ARGS__}), sizeof((const unsigned char[]){__VA_ARGS__})

static const struct {
	const char *what;
	const unsigned char *data;
	size_t len;
	enum doc_format want;
} magics[] = {
	{"pdf", BYTES('%', 'P', 'D', 'F', '-', '1', '.', '7', '\n', '%', 0xE2, 0xE3, 0xCF, 0xD3, '\n'), DOC_PDF},
	{"pdf header only", BYTES('%', 'P', 'D', 'F', '-'), DOC_PDF},
	{"pdf 4 bytes", BYTES('%', 'P', 'D', 'F'), DOC_UNKNOWN},
	{"pdf lowercase", BYTES('%', 'p', 'd', 'f', '-', '1', '.', '4'), DOC_UNKNOWN},
	{"pdf after a space", BYTES(' ', '%', 'P', 'D', 'F', '-', '1', '.', '4'), DOC_UNKNOWN},
	{"png", BYTES(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R'), DOC_PNG},
	{"png signature only", BYTES(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A), DOC_PNG},
	{"png 7 bytes", BYTES(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A), DOC_UNKNOWN},
	{"png mangled line ending", BYTES(0x89, 'P', 'N', 'G', 0x0A, 0x0A, 0x1A, 0x0A, 0, 0), DOC_UNKNOWN},
	{"png without high byte", BYTES('P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0), DOC_UNKNOWN},
	{"jpeg jfif", BYTES(0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00), DOC_JPEG},
	{"jpeg exif", BYTES(0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10, 'E', 'x', 'i', 'f', 0x00), DOC_JPEG},
	{"jpeg 3 bytes", BYTES(0xFF, 0xD8, 0xFF), DOC_JPEG},
	{"jpeg 2 bytes", BYTES(0xFF, 0xD8), DOC_UNKNOWN},
	{"jpeg broken marker", BYTES(0xFF, 0xD8, 0x00, 0xE0), DOC_UNKNOWN},
	{"gif", BYTES('G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0), DOC_UNKNOWN},
	{"exe", BYTES('M', 'Z', 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xFF, 0xFF), DOC_UNKNOWN},
	{"elf", BYTES(0x7F, 'E', 'L', 'F', 2, 1, 1, 0), DOC_UNKNOWN},
	{"text", BYTES('H', 'e', 'l', 'l', 'o', ',', ' ', 'w', 'o', 'r', 'l', 'd', '.', '\n'), DOC_UNKNOWN},
	{"html", BYTES('<', '!', 'D', 'O', 'C', 'T', 'Y', 'P', 'E', ' ', 'h', 't', 'm', 'l', '>'), DOC_UNKNOWN},
	{"one byte", BYTES('%'), DOC_UNKNOWN},
	{"two bytes", BYTES('P', 'K'), DOC_UNKNOWN},
	{"zip signature only", BYTES('P', 'K', 3, 4), DOC_UNKNOWN},
	{"empty zip (end record only)",
	 BYTES('P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), DOC_UNKNOWN},
};

START_TEST(test_magic_table)
{
	ck_assert_msg(doc_sniff(magics[_i].data, magics[_i].len) == magics[_i].want, "%s: got %d", magics[_i].what,
		      (int)doc_sniff(magics[_i].data, magics[_i].len));
}
END_TEST

START_TEST(test_empty)
{
	static const unsigned char nothing[1] = {0};
	ck_assert_int_eq(doc_sniff(nothing, 0), DOC_UNKNOWN);
	/* the length is what counts, not the bytes that follow it */
	static const unsigned char pdf[] = "%PDF-1.7";
	ck_assert_int_eq(doc_sniff(pdf, 4), DOC_UNKNOWN);
	ck_assert_int_eq(doc_sniff(pdf, 5), DOC_PDF);
}
END_TEST

/* ---- ZIP archives ---- */

#define ODT_TYPE "application/vnd.oasis.opendocument.text"

struct member {
	const char *name;
	const char *data;
	size_t extra; /* bytes of extra field in the local header (0 or 4) */
};

static size_t put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xFF);
	p[1] = (unsigned char)(v >> 8 & 0xFF);
	return 2;
}

static size_t put32(unsigned char *p, unsigned long v)
{
	put16(p, (unsigned)(v & 0xFFFF));
	put16(p + 2, (unsigned)(v >> 16 & 0xFFFF));
	return 4;
}

/* Writes a ZIP archive of stored members into out (cap bytes); returns its
 * length. CRCs are left zero: the sniffer never reads them. */
static size_t zip_build(unsigned char *out, size_t cap, const struct member *m, int n)
{
	size_t at = 0, offsets[8];
	ck_assert_int_le(n, 8);
	for (int i = 0; i < n; i++) {
		size_t nl = strlen(m[i].name), dl = strlen(m[i].data);
		ck_assert_uint_le(at + 30 + nl + m[i].extra + dl, cap);
		offsets[i] = at;
		at += put32(out + at, 0x04034B50UL); /* local file header */
		at += put16(out + at, 20);           /* version needed */
		at += put16(out + at, 0);            /* flags */
		at += put16(out + at, 0);            /* method: stored */
		at += put16(out + at, 0x6000);       /* time */
		at += put16(out + at, 0x5C3B);       /* date */
		at += put32(out + at, 0);            /* crc-32 */
		at += put32(out + at, dl);           /* compressed size */
		at += put32(out + at, dl);           /* uncompressed size */
		at += put16(out + at, (unsigned)nl);
		at += put16(out + at, (unsigned)m[i].extra);
		memcpy(out + at, m[i].name, nl);
		at += nl;
		if (m[i].extra == 4) {
			at += put16(out + at, 0xCAFE); /* the JAR marker: id, size 0 */
			at += put16(out + at, 0);
		}
		memcpy(out + at, m[i].data, dl);
		at += dl;
	}
	size_t cd = at;
	for (int i = 0; i < n; i++) {
		size_t nl = strlen(m[i].name), dl = strlen(m[i].data);
		ck_assert_uint_le(at + 46 + nl, cap);
		at += put32(out + at, 0x02014B50UL); /* central directory header */
		at += put16(out + at, 20);
		at += put16(out + at, 20);
		at += put16(out + at, 0);
		at += put16(out + at, 0);
		at += put16(out + at, 0x6000);
		at += put16(out + at, 0x5C3B);
		at += put32(out + at, 0);
		at += put32(out + at, dl);
		at += put32(out + at, dl);
		at += put16(out + at, (unsigned)nl);
		at += put16(out + at, 0); /* extra */
		at += put16(out + at, 0); /* comment */
		at += put16(out + at, 0); /* disk */
		at += put16(out + at, 0); /* internal attributes */
		at += put32(out + at, 0); /* external attributes */
		at += put32(out + at, offsets[i]);
		memcpy(out + at, m[i].name, nl);
		at += nl;
	}
	ck_assert_uint_le(at + 22, cap);
	at += put32(out + at, 0x06054B50UL); /* end of central directory */
	at += put16(out + at, 0);
	at += put16(out + at, 0);
	at += put16(out + at, (unsigned)n);
	at += put16(out + at, (unsigned)n);
	at += put32(out + at, at - cd - 12);
	at += put32(out + at, cd);
	at += put16(out + at, 0);
	return at;
}

static const struct member odt[] = {
	{"mimetype", ODT_TYPE, 0},
	{"META-INF/manifest.xml", "<manifest:manifest/>", 0},
	{"content.xml", "<office:document-content/>", 0},
};
static const struct member odt_extra[] = {
	{"mimetype", ODT_TYPE, 4},
	{"content.xml", "<office:document-content/>", 0},
};
static const struct member odt_alone[] = {{"mimetype", ODT_TYPE, 0}};
static const struct member ods[] = {
	{"mimetype", "application/vnd.oasis.opendocument.spreadsheet", 0},
	{"content.xml", "<office:document-content/>", 0},
};
static const struct member odp[] = {
	{"mimetype", "application/vnd.oasis.opendocument.presentation", 0},
	{"content.xml", "<office:document-content/>", 0},
};
static const struct member ott[] = {
	{"mimetype", "application/vnd.oasis.opendocument.text-template", 0},
	{"content.xml", "<office:document-content/>", 0},
};
static const struct member odt_not_first[] = {
	{"content.xml", "<office:document-content/>", 0},
	{"mimetype", ODT_TYPE, 0},
};
static const struct member docx[] = {
	{"[Content_Types].xml", "<Types/>", 0},
	{"_rels/.rels", "<Relationships/>", 0},
	{"word/document.xml", "<w:document/>", 0},
	{"docProps/core.xml", "<cp:coreProperties/>", 0},
};
static const struct member docx_late_types[] = {
	{"word/document.xml", "<w:document/>", 0},
	{"_rels/.rels", "<Relationships/>", 0},
	{"[Content_Types].xml", "<Types/>", 0},
};
static const struct member xlsx[] = {
	{"[Content_Types].xml", "<Types/>", 0},
	{"_rels/.rels", "<Relationships/>", 0},
	{"xl/workbook.xml", "<workbook/>", 0},
	{"xl/worksheets/sheet1.xml", "<worksheet/>", 0},
};
static const struct member pptx[] = {
	{"[Content_Types].xml", "<Types/>", 0},
	{"_rels/.rels", "<Relationships/>", 0},
	{"ppt/presentation.xml", "<p:presentation/>", 0},
};
static const struct member plain_zip[] = {
	{"readme.txt", "hello", 0},
	{"word/document.xml", "<w:document/>", 0},
};
static const struct member only_types[] = {{"[Content_Types].xml", "<Types/>", 0}};
static const struct member jar[] = {
	{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n", 4},
	{"Main.class", "\xca\xfe\xba\xbe", 0},
};

static const struct {
	const char *what;
	const struct member *m;
	int n;
	enum doc_format want;
} zips[] = {
	{"odt", odt, N(odt), DOC_ODT},
	{"odt, extra field on mimetype", odt_extra, N(odt_extra), DOC_ODT},
	{"odt, mimetype only", odt_alone, N(odt_alone), DOC_ODT},
	{"ods", ods, N(ods), DOC_UNKNOWN},
	{"odp", odp, N(odp), DOC_UNKNOWN},
	{"ott (text-template)", ott, N(ott), DOC_UNKNOWN},
	{"odt, mimetype not first", odt_not_first, N(odt_not_first), DOC_UNKNOWN},
	{"docx", docx, N(docx), DOC_DOCX},
	{"docx, [Content_Types].xml last", docx_late_types, N(docx_late_types), DOC_DOCX},
	{"xlsx", xlsx, N(xlsx), DOC_XLSX},
	{"pptx", pptx, N(pptx), DOC_UNKNOWN},
	{"zip without [Content_Types].xml", plain_zip, N(plain_zip), DOC_UNKNOWN},
	{"[Content_Types].xml only", only_types, N(only_types), DOC_UNKNOWN},
	{"jar", jar, N(jar), DOC_UNKNOWN},
};

START_TEST(test_zip_table)
{
	unsigned char buf[2048];
	size_t len = zip_build(buf, sizeof buf, zips[_i].m, zips[_i].n);
	ck_assert_msg(doc_sniff(buf, len) == zips[_i].want, "%s: got %d", zips[_i].what, (int)doc_sniff(buf, len));
}
END_TEST

/* Only the local headers, as the first bytes of a longer upload would be. */
START_TEST(test_zip_prefix)
{
	unsigned char buf[2048];
	size_t len = zip_build(buf, sizeof buf, docx, N(docx));
	ck_assert_int_eq(doc_sniff(buf, len), DOC_DOCX);
	/* the first local header and the start of "[Content_Types].xml" */
	ck_assert_int_eq(doc_sniff(buf, 30 + 10), DOC_UNKNOWN);

	len = zip_build(buf, sizeof buf, odt_alone, N(odt_alone));
	/* header + "mimetype" + the whole type: an ODT */
	ck_assert_int_eq(doc_sniff(buf, 30 + 8 + strlen(ODT_TYPE)), DOC_ODT);
	/* the type cut short by one byte, and a header cut inside its name */
	ck_assert_int_eq(doc_sniff(buf, 30 + 8 + strlen(ODT_TYPE) - 1), DOC_UNKNOWN);
	ck_assert_int_eq(doc_sniff(buf, 30 + 4), DOC_UNKNOWN);
	ck_assert_int_eq(doc_sniff(buf, 29), DOC_UNKNOWN);
}
END_TEST

/* A hand-written ODT start, independent of zip_build. */
START_TEST(test_odt_literal)
{
	static const unsigned char head[] = "PK\x03\x04"
					    "\x14\x00\x00\x00\x00\x00"          /* version 20, flags, stored */
					    "\x00\x60\x3b\x5c"                  /* time, date */
					    "\x00\x00\x00\x00"                  /* crc */
					    "\x27\x00\x00\x00\x27\x00\x00\x00" /* 39 bytes, both sizes */
					    "\x08\x00\x00\x00"                  /* name 8, extra 0 */
					    "mimetype" ODT_TYPE "PK\x03\x04";
	ck_assert_uint_eq(sizeof head - 1, 30 + 8 + 39 + 4);
	ck_assert_int_eq(doc_sniff(head, sizeof head - 1), DOC_ODT);
}
END_TEST

/* ---- media types ---- */

static const struct {
	const char *type;
	enum doc_format want;
} types[] = {
	{"application/pdf", DOC_PDF},
	{"Application/PDF; charset=binary", DOC_PDF},
	{"APPLICATION/PDF", DOC_PDF},
	{"application/pdf;charset=binary", DOC_PDF},
	{"application/pdf ; charset=binary", DOC_PDF},
	{"application/pdf\t;x=y", DOC_PDF},
	{"application/pdf;", DOC_PDF},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOC_DOCX},
	{"APPLICATION/VND.OPENXMLFORMATS-OFFICEDOCUMENT.WORDPROCESSINGML.DOCUMENT", DOC_DOCX},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", DOC_XLSX},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; name=x.xlsx", DOC_XLSX},
	{"application/vnd.oasis.opendocument.text", DOC_ODT},
	{"Application/Vnd.Oasis.OpenDocument.Text", DOC_ODT},
	{"image/png", DOC_PNG},
	{"IMAGE/PNG", DOC_PNG},
	{"image/jpeg", DOC_JPEG},
	{"image/JPEG; q=1", DOC_JPEG},
	{"image/jpg", DOC_UNKNOWN},
	{"image/pjpeg", DOC_UNKNOWN},
	{"image/gif", DOC_UNKNOWN},
	{"application/pdfx", DOC_UNKNOWN},
	{"application/pd", DOC_UNKNOWN},
	{"application/x-pdf", DOC_UNKNOWN},
	{"application/pdf/x", DOC_UNKNOWN},
	{"application/msword", DOC_UNKNOWN},
	{"application/vnd.ms-excel", DOC_UNKNOWN},
	{"application/vnd.oasis.opendocument.spreadsheet", DOC_UNKNOWN},
	{"application/vnd.oasis.opendocument.text-template", DOC_UNKNOWN},
	{"application/vnd.openxmlformats-officedocument.presentationml.presentation", DOC_UNKNOWN},
	{"application/zip", DOC_UNKNOWN},
	{"application/octet-stream", DOC_UNKNOWN},
	{"text/plain", DOC_UNKNOWN},
	{"pdf", DOC_UNKNOWN},
	{";application/pdf", DOC_UNKNOWN},
	{";", DOC_UNKNOWN},
	{" ", DOC_UNKNOWN},
	{"", DOC_UNKNOWN},
	{NULL, DOC_UNKNOWN},
};

START_TEST(test_type_table)
{
	ck_assert_msg(doc_format_of_type(types[_i].type) == types[_i].want, "row %d: %s", _i,
		      types[_i].type ? types[_i].type : "NULL");
}
END_TEST

START_TEST(test_format_type)
{
	static const struct {
		enum doc_format f;
		const char *type;
	} canon[] = {
		{DOC_PDF, "application/pdf"},
		{DOC_DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{DOC_XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{DOC_ODT, "application/vnd.oasis.opendocument.text"},
		{DOC_PNG, "image/png"},
		{DOC_JPEG, "image/jpeg"},
	};
	for (int i = 0; i < N(canon); i++) {
		ck_assert_pstr_eq(doc_format_type(canon[i].f), canon[i].type);
		/* the round trip, both ways */
		ck_assert_int_eq(doc_format_of_type(doc_format_type(canon[i].f)), canon[i].f);
		ck_assert_int_eq(doc_format_of_type(canon[i].type), canon[i].f);
	}
	ck_assert_ptr_null(doc_format_type(DOC_UNKNOWN));
	ck_assert_ptr_null(doc_format_type((enum doc_format)99));
	ck_assert_ptr_null(doc_format_type((enum doc_format)-1));
}
END_TEST

Suite *docsniff_suite(void)
{
	Suite *s = suite_create("docsniff");
	TCase *tc = tcase_create("sniff");
	tcase_add_loop_test(tc, test_magic_table, 0, N(magics));
	tcase_add_test(tc, test_empty);
	tcase_add_loop_test(tc, test_zip_table, 0, N(zips));
	tcase_add_test(tc, test_zip_prefix);
	tcase_add_test(tc, test_odt_literal);
	suite_add_tcase(s, tc);

	tc = tcase_create("types");
	tcase_add_loop_test(tc, test_type_table, 0, N(types));
	tcase_add_test(tc, test_format_type);
	suite_add_tcase(s, tc);
	return s;
}
