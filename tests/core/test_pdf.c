/* test_pdf.c — the Berita Acara PDF, read back the way a person would: the
 * bytes are a PDF, poppler's pdftotext finds every text we put in (accents
 * included), long content flows onto more pages with a footer on each, no
 * word lies outside the margins or runs into the footer, and bad input
 * (invalid UTF-8, characters WinAnsi lacks) prints as '?' instead of failing.
 * Set ALURD_TEST_PDF_DIR to keep the rendered files for a look. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pdf/pdf.h"

#define HASH "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define PAGE_H 841.89
#define PAGE_W 595.276
#define MARGIN 56.693

static const char *const letterhead[] = {
	"PEMERINTAH KABUPATEN GIANYAR",
	"DINAS KOMUNIKASI, INFORMATIKA DAN PERSANDIAN",
	"Jl. Ngurah Rai No. 1, Gianyar, Bali 80511 · Telepon (0361) 943000",
	NULL,
};

static const char *const features[] = {
	"Formulir permohonan izin usaha daring dengan unggah dokumen",
	"Verifikasi berkas oleh petugas dan notifikasi status kepada pemohon",
	"Laporan bulanan jumlah permohonan per kecamatan",
	NULL,
};

static const struct pdf_milestone milestones[] = {
	{"Analisis kebutuhan dan perancangan proses bisnis", "2026-12-01", "2026-12-14"},
	{"Pengembangan modul permohonan dan verifikasi berkas yang cukup panjang namanya sehingga harus "
	 "dibungkus di dalam sel tabel",
	 "2026-12-15", "2027-02-28"},
	{"Uji penerimaan pengguna", "2027-03-01", "2027-03-15"},
};

static const struct pdf_signer signers[] = {
	{"Kepala Dinas Kominfos", "Drs. I Made Wiryawan, M.Si.", "197001011995031001", "2026-11-28T10:15:00+08:00"},
	{"Kepala Perangkat Daerah", "Ni Luh Putu Ayu Saraswati, S.E.", NULL, NULL},
};

static struct pdf_berita_acara normal_ba(void)
{
	return (struct pdf_berita_acara){
		.letterhead = letterhead,
		.title = "BERITA ACARA KESEPAKATAN",
		.number = "050/7/BA/IAI/D.KOMINFOS/2026",
		.date = "2026-11-28",
		.request_title = "Sistem Informasi Perizinan Usaha",
		.agency_name = "Perangkat Daerah Kabupaten Gianyar – Bagian Ékonomi",
		.party_first = "Dinas Komunikasi, Informatika dan Persandian Kabupaten Gianyar",
		.party_second = "Bagian Ékonomi Sekretariat Daerah Kabupaten Gianyar",
		.scope_summary = "Aplikasi melayani permohonan izin usaha mikro dari pengajuan sampai terbitnya "
				 "izin, termasuk verifikasi berkas dan pelaporan.\nData pemohon disimpan di "
				 "pusat data Pemerintah Kabupaten.",
		.features = features,
		.milestones = milestones,
		.nmilestones = sizeof milestones / sizeof milestones[0],
		.signers = signers,
		.nsigners = 2,
		.content_sha256 = HASH,
		.status = "awaiting_signatures",
	};
}

/* ---- plumbing: render, save, read back with poppler --------------------- */

static unsigned char *render(const struct pdf_berita_acara *ba, size_t *len)
{
	unsigned char *pdf = NULL;
	struct err e;
	err_clear(&e);
	ck_assert_msg(pdf_berita_acara(ba, &pdf, len, &e), "%s: %s (%s)", e.code, e.detail, e.log);
	ck_assert_ptr_nonnull(pdf);
	ck_assert_uint_gt(*len, 100);
	ck_assert_int_eq(memcmp(pdf, "%PDF-", 5), 0);
	size_t end = *len;
	while (end > 0 && (pdf[end - 1] == '\n' || pdf[end - 1] == '\r'))
		end--;
	ck_assert_uint_ge(end, 5);
	ck_assert_int_eq(memcmp(pdf + end - 5, "%%EOF", 5), 0);
	return pdf;
}

/* Writes the PDF to a temporary file (or into ALURD_TEST_PDF_DIR as
 * keep_name) and returns its path, malloc'd. */
static char *save(const unsigned char *pdf, size_t len, const char *keep_name)
{
	const char *dir = getenv("ALURD_TEST_PDF_DIR");
	char *path = malloc(4096);
	ck_assert_ptr_nonnull(path);
	FILE *f;
	if (dir) {
		snprintf(path, 4096, "%s/%s", dir, keep_name);
		f = fopen(path, "wb");
	} else {
		snprintf(path, 4096, "%s/alurd-pdf-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
		int fd = mkstemp(path);
		ck_assert_int_ge(fd, 0);
		f = fdopen(fd, "wb");
	}
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(pdf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static void discard(char *path)
{
	if (!getenv("ALURD_TEST_PDF_DIR"))
		unlink(path);
	free(path);
}

/* The whole output of the command "<tool> '<path>' <args>", malloc'd. */
static char *run(const char *tool, const char *path, const char *args)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "%s '%s' %s", tool, path, args);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	for (size_t got; (got = fread(out + n, 1, cap - n - 1, p)) > 0;) {
		n += got;
		if (cap - n - 1 == 0) {
			out = realloc(out, cap *= 2);
			ck_assert_ptr_nonnull(out);
		}
	}
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	return out;
}

/* Whitespace runs collapsed to one space, so wrapped or centred text can be
 * searched as one phrase. */
static char *squeeze(char *s)
{
	char *o = s;
	for (const char *p = s; *p; p++) {
		bool ws = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\f';
		if (!ws)
			*o++ = *p;
		else if (o > s && o[-1] != ' ')
			*o++ = ' ';
	}
	*o = '\0';
	return s;
}

static char *pdf_text(const char *path)
{
	return squeeze(run("pdftotext -layout", path, "-"));
}

/* The watermarks of a document: in content-stream order a rotated word
 * comes out one letter per line, squeezed to "D R A F". */
static size_t watermarks(const char *path)
{
	char *raw = squeeze(run("pdftotext -raw", path, "-"));
	size_t n = 0;
	for (const char *p = raw; (p = strstr(p, "D R A F")); p += 7)
		n++;
	free(raw);
	return n;
}

static int pdf_pages(const char *path)
{
	char *info = run("pdfinfo", path, "");
	const char *p = strstr(info, "Pages:");
	ck_assert_ptr_nonnull(p);
	int pages = atoi(p + 6);
	free(info);
	return pages;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

#define assert_has(text, needle) ck_assert_msg(strstr((text), (needle)), "missing in the PDF text: %s", (needle))

/* Every word lies inside the 2 cm margins, and body text stays clear of the
 * footer band at the bottom of the page (poppler's y grows downwards). */
static void check_geometry(const char *path)
{
	char *html = run("pdftotext -bbox", path, "-");
	size_t words = 0;
	for (const char *p = html; (p = strstr(p, "<word ")); p++) {
		double x0, y0, x1, y1;
		ck_assert_int_eq(sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &x0, &y0, &x1, &y1), 4);
		ck_assert_msg(x0 >= MARGIN - 1 && x1 <= PAGE_W - MARGIN + 1, "word outside the side margins: %.80s", p);
		ck_assert_msg(y0 >= MARGIN - 1, "word above the top margin: %.80s", p);
		bool body = y1 <= PAGE_H - MARGIN - 2, footer = y0 >= PAGE_H - MARGIN + 2 && y1 <= PAGE_H - 20;
		ck_assert_msg(body || footer, "word in the footer's way or off the page: %.80s", p);
		words++;
	}
	ck_assert_uint_gt(words, 50);
	free(html);
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(test_normal)
{
	struct pdf_berita_acara ba = normal_ba();
	size_t len;
	unsigned char *pdf = render(&ba, &len);
	char *path = save(pdf, len, "normal.pdf");
	char *t = pdf_text(path);
	ck_assert_msg(memmem(pdf, len, "/FlateDecode", 12), "the content streams are compressed");
	assert_has(t, "PEMERINTAH KABUPATEN GIANYAR");
	assert_has(t, "BERITA ACARA KESEPAKATAN");
	assert_has(t, "Nomor: 050/7/BA/IAI/D.KOMINFOS/2026");
	assert_has(t, "Pada tanggal 28 November 2026, telah disepakati pengembangan aplikasi \"Sistem Informasi "
		      "Perizinan Usaha\" atas usulan Perangkat Daerah Kabupaten Gianyar – Bagian Ékonomi, oleh:");
	assert_has(t, "1. Dinas Komunikasi, Informatika dan Persandian Kabupaten Gianyar");
	assert_has(t, "2. Bagian Ékonomi Sekretariat Daerah");
	assert_has(t, "Ruang lingkup");
	assert_has(t, "Data pemohon disimpan");
	assert_has(t, "• Verifikasi berkas oleh petugas dan notifikasi status kepada pemohon");
	assert_has(t, "Jadwal pelaksanaan");
	assert_has(t, "No Kegiatan Mulai Selesai");
	assert_has(t, "Uji penerimaan pengguna 01-03-2027 15-03-2027");
	assert_has(t, "dibungkus di dalam sel tabel");
	assert_has(t, "Drs. I Made Wiryawan, M.Si.");
	assert_has(t, "Ni Luh Putu Ayu Saraswati, S.E.");
	assert_has(t, "NIP. 197001011995031001");
	assert_has(t, "Ditandatangani secara elektronik:");
	assert_has(t, "2026-11-28T10:15:00+08:00");
	assert_has(t, "Belum ditandatangani");
	assert_has(t, "Status: Menunggu tanda tangan · SHA-256: " HASH);
	assert_has(t, "Halaman 1 dari 1");
	ck_assert_int_eq(pdf_pages(path), 1);
	check_geometry(path);
	char *info = run("pdfinfo", path, "");
	assert_has(info, "BERITA ACARA KESEPAKATAN 050/7/BA/IAI/D.KOMINFOS/2026");
	assert_has(info, "alurd");
	free(info);
	free(t);
	discard(path);
	free(pdf);
}
END_TEST

static char *feature(int i)
{
	char *s = malloc(256);
	ck_assert_ptr_nonnull(s);
	snprintf(s, 256, "Fitur nomor %d: pengelolaan data dan laporan yang diminta perangkat daerah (f%d)", i, i);
	return s;
}

static char *milestone(int i)
{
	char *s = malloc(256);
	ck_assert_ptr_nonnull(s);
	snprintf(s, 256,
		 "Kegiatan ke-%d: pengembangan, pengujian, dan serah terima modul yang namanya sengaja dibuat "
		 "panjang agar terbungkus beberapa baris di dalam sel (akhir-%d)",
		 i, i);
	return s;
}

START_TEST(test_huge)
{
	enum { NF = 60, NM = 50 };
	char *feat[NF + 1], *names[NM];
	struct pdf_milestone ms[NM];
	for (int i = 0; i < NF; i++)
		feat[i] = feature(i + 1);
	feat[NF] = NULL;
	for (int i = 0; i < NM; i++) {
		names[i] = milestone(i + 1);
		ms[i] = (struct pdf_milestone){names[i], "2027-01-04", "2027-12-31"};
	}
	char scope[3100] = "";
	while (strlen(scope) < 3000)
		strcat(scope, strlen(scope) % 700 < 60 ? "Paragraf baru.\nRuang lingkup mencakup " : "layanan daring ");
	struct pdf_berita_acara ba = normal_ba();
	ba.features = (const char *const *)feat;
	ba.milestones = ms;
	ba.nmilestones = NM;
	ba.scope_summary = scope;
	ba.status = "draft";

	size_t len;
	unsigned char *pdf = render(&ba, &len);
	char *path = save(pdf, len, "huge.pdf");
	char *t = pdf_text(path);
	int pages = pdf_pages(path);
	ck_assert_int_gt(pages, 1);
	char last[64];
	snprintf(last, sizeof last, "Halaman %d dari %d", pages, pages);
	assert_has(t, "Halaman 1 dari");
	assert_has(t, last);
	ck_assert_uint_eq(count(t, "SHA-256: " HASH), (size_t)pages);
	ck_assert_uint_eq(watermarks(path), (size_t)pages); /* a draft: on every page */
	assert_has(t, "(f1)");
	assert_has(t, "Fitur nomor 60:");
	assert_has(t, "(f60)");
	assert_has(t, "Kegiatan ke-1:");
	assert_has(t, "Kegiatan ke-50:");
	assert_has(t, "(akhir-50)");
	ck_assert_uint_ge(count(t, "No Kegiatan Mulai Selesai"), 2); /* header repeated on the next page */
	assert_has(t, "Belum ditandatangani");
	check_geometry(path);
	free(t);
	discard(path);
	free(pdf);
	for (int i = 0; i < NF; i++)
		free(feat[i]);
	for (int i = 0; i < NM; i++)
		free(names[i]);
}
END_TEST

/* Not yet signed: "DRAF" across every page; signed: none. The title follows
 * the request's kind and the footer's status word is Indonesian. */
START_TEST(test_draft_watermark_and_title)
{
	struct pdf_berita_acara ba = normal_ba();
	size_t len;
	ba.status = "draft";
	unsigned char *pdf = render(&ba, &len);
	char *path = save(pdf, len, "draft.pdf");
	char *t = pdf_text(path);
	ck_assert_uint_eq(watermarks(path), (size_t)pdf_pages(path));
	assert_has(t, "Status: Draf ");
	check_geometry(path);
	free(t);
	discard(path);
	free(pdf);

	ba.status = "signed";
	ba.title = NULL;
	ba.kind = "integrasi";
	pdf = render(&ba, &len);
	path = save(pdf, len, "signed.pdf");
	t = pdf_text(path);
	ck_assert_uint_eq(watermarks(path), 0);
	assert_has(t, "BERITA ACARA KESEPAKATAN INTEGRASI APLIKASI");
	assert_has(t, "Status: Ditandatangani ");
	free(t);
	discard(path);
	free(pdf);
	ck_assert_str_eq(pdf_ba_title("pembangunan"), "BERITA ACARA KESEPAKATAN PEMBANGUNAN APLIKASI");
	ck_assert_str_eq(pdf_ba_title("pengembangan"), "BERITA ACARA KESEPAKATAN PENGEMBANGAN APLIKASI");
	ck_assert_str_eq(pdf_ba_title(NULL), "BERITA ACARA KESEPAKATAN");
}
END_TEST

/* The Surat Tugas: the team table (its header repeated when 50 members run
 * onto a second page), the purpose and the issuer; final, so no watermark. */
START_TEST(test_surat_tugas)
{
	struct pdf_person members[50];
	char names[50][64];
	for (int i = 0; i < 50; i++) {
		snprintf(names[i], sizeof names[i], "Anggota Tim SPBE ke-%d", i + 1);
		members[i] = (struct pdf_person){names[i], i % 2 ? "199001012015031001" : NULL,
						 i == 0 ? "Pranata Komputer Ahli Muda" : NULL};
	}
	struct pdf_surat_tugas st = {
		.letterhead = letterhead,
		.number = "800/004/ST/D.KOMINFOS/2026",
		.date = "2026-12-02",
		.place = "Denpasar",
		.basis = "Berita Acara Kesepakatan Nomor 050/7/BA/IAI/D.KOMINFOS/2026 atas permohonan Dinas Kesehatan.",
		.purpose = "Melaksanakan pembangunan Sistem Informasi Rujukan sesuai jadwal yang disepakati.",
		.members = members,
		.nmembers = 3,
		.issuer = {"I Made Wirawan Santika", "197503152000031002", NULL},
		.issuer_title = "Kepala Dinas",
	};
	size_t len;
	unsigned char *pdf = NULL;
	struct err e;
	err_clear(&e);
	ck_assert(pdf_surat_tugas(&st, &pdf, &len, &e));
	char *path = save(pdf, len, "surat-tugas.pdf");
	char *t = pdf_text(path);
	assert_has(t, "SURAT TUGAS");
	assert_has(t, "Nomor: 800/004/ST/D.KOMINFOS/2026");
	assert_has(t, "Dasar");
	assert_has(t, "No Nama NIP Jabatan");
	assert_has(t, "1 Anggota Tim SPBE ke-1 - Pranata Komputer Ahli Muda");
	assert_has(t, "2 Anggota Tim SPBE ke-2 199001012015031001 -");
	assert_has(t, "Untuk");
	assert_has(t, "Melaksanakan pembangunan Sistem Informasi Rujukan");
	assert_has(t, "Ditetapkan di Denpasar, 2 Desember 2026");
	assert_has(t, "I Made Wirawan Santika");
	assert_has(t, "NIP. 197503152000031002");
	assert_has(t, "Halaman 1 dari 1");
	ck_assert_uint_eq(watermarks(path), 0);
	check_geometry(path);
	free(t);
	discard(path);
	free(pdf);

	st.nmembers = 50;
	ck_assert(pdf_surat_tugas(&st, &pdf, &len, &e));
	path = save(pdf, len, "surat-tugas-50.pdf");
	t = pdf_text(path);
	ck_assert_int_gt(pdf_pages(path), 1);
	ck_assert_uint_ge(count(t, "No Nama NIP Jabatan"), 2);
	assert_has(t, "Anggota Tim SPBE ke-50");
	check_geometry(path);
	free(t);
	discard(path);
	free(pdf);
}
END_TEST

/* Cells taller than a page, a word wider than a line: split, never lost or
 * drawn off the page. */
START_TEST(test_giant_cells)
{
	size_t n = 9000;
	char *name = malloc(n + 1), *word = malloc(n + 1);
	ck_assert(name && word);
	for (size_t i = 0; i < n; i++) {
		name[i] = i % 9 == 8 ? ' ' : 'a' + (char)(i % 7);
		word[i] = '0' + (char)(i % 10);
	}
	name[n] = word[n] = '\0';
	memcpy(name + n - 5, "ujung", 5);
	const char *feat[] = {word, "sesudah kata panjang", NULL};
	struct pdf_milestone ms[] = {{"pertama", "2027-01-04", "2027-01-31"}, {name, "2027-02-01", "2027-03-31"},
				     {"terakhir", "2027-04-01", "2027-04-30"}};
	struct pdf_signer sg[] = {{word, name, word, NULL}, {"Pihak kedua", "Nama", NULL, NULL}};
	struct pdf_berita_acara ba = normal_ba();
	ba.features = feat;
	ba.milestones = ms;
	ba.nmilestones = 3;
	ba.signers = sg;
	size_t len;
	unsigned char *pdf = render(&ba, &len);
	char *path = save(pdf, len, "giant.pdf");
	char *t = pdf_text(path);
	int pages = pdf_pages(path);
	ck_assert_int_gt(pages, 3);
	ck_assert_uint_eq(count(t, "SHA-256: " HASH), (size_t)pages);
	assert_has(t, "sesudah kata panjang");
	assert_has(t, "ujung");
	assert_has(t, "terakhir");
	assert_has(t, "Pihak kedua");
	check_geometry(path);
	free(t);
	discard(path);
	free(pdf);
	free(name);
	free(word);
}
END_TEST

START_TEST(test_bad_text)
{
	struct pdf_berita_acara ba = normal_ba();
	ba.request_title = "Bad \xff\xfe bytes \xe2\x82 and \xe6\x97\xa5\xe6\x9c\xac and \xf0\x9f\x98\x80 \x01" "end";
	ba.agency_name = "\xe2\x80\x9c" "Dinas\xe2\x80\x9d \xe2\x82\xac" "5 \xc0\xaf overlong \xed\xa0\x80 surrogate";
	ba.party_first = "";
	ba.party_second = NULL;
	ba.scope_summary = "\xe4\xb8\xad\xe6\x96\x87\xe6\x96\x87\xe6\x9c\xac";
	ba.nsigners = 1;
	size_t len;
	unsigned char *pdf = render(&ba, &len);
	char *path = save(pdf, len, "bad.pdf");
	char *t = pdf_text(path);
	assert_has(t, "\"Bad ?? bytes ? and ?? and ? ?end\"");
	assert_has(t, "“Dinas” €5 ?? overlong ? surrogate");
	assert_has(t, "????");
	free(t);
	discard(path);
	free(pdf);
}
END_TEST

START_TEST(test_odd_input)
{
	/* nothing optional given, odd dates, three signers: still a document */
	static const struct pdf_signer three[] = {
		{"Pihak A", "A", NULL, NULL}, {"Pihak B", "B", "1", NULL}, {"Pihak C", "C", NULL, "kemarin"}};
	struct pdf_berita_acara ba = {.date = "28/11/2026", .signers = three, .nsigners = 3};
	size_t len;
	unsigned char *pdf = render(&ba, &len);
	char *path = save(pdf, len, "odd.pdf");
	char *t = pdf_text(path);
	assert_has(t, "Pada tanggal 28/11/2026,");
	assert_has(t, "Belum ada jadwal.");
	assert_has(t, "Pihak C");
	assert_has(t, "Ditandatangani secara elektronik: kemarin");
	free(t);
	discard(path);
	free(pdf);
}
END_TEST

START_TEST(test_libharu_failure)
{
	/* libharu refuses strings over 65535 bytes: its error becomes ours */
	size_t n = 70000;
	char *title = malloc(n + 1);
	ck_assert_ptr_nonnull(title);
	memset(title, 'A', n);
	title[n] = '\0';
	struct pdf_berita_acara ba = normal_ba();
	ba.title = title;
	static unsigned char untouched[] = "untouched";
	unsigned char *pdf = untouched;
	size_t len = 1;
	struct err e;
	err_clear(&e);
	ck_assert(!pdf_berita_acara(&ba, &pdf, &len, &e));
	ck_assert_int_eq(e.kind, ERR_INTERNAL);
	ck_assert_str_eq(e.code, "pdf.render_failed");
	ck_assert_ptr_null(pdf);
	ck_assert_uint_eq(len, 0);
	free(title);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pdf");
	TCase *tc = tcase_create("berita_acara");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_normal);
	tcase_add_test(tc, test_huge);
	tcase_add_test(tc, test_draft_watermark_and_title);
	tcase_add_test(tc, test_surat_tugas);
	tcase_add_test(tc, test_giant_cells);
	tcase_add_test(tc, test_bad_text);
	tcase_add_test(tc, test_odd_input);
	tcase_add_test(tc, test_libharu_failure);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
