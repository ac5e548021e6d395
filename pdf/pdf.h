/* pdf.h — the printable documents: the Berita Acara (A4 PDF, libharu).
 *
 * Rendering only: the caller gathers every text; this file lays it out. All
 * strings are UTF-8; characters outside Latin-1 print as '?' (the built-in
 * PDF fonts carry WinAnsi only).
 */
#ifndef ALURD_PDF_PDF_H
#define ALURD_PDF_PDF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct pdf_milestone {
	const char *name, *start, *end; /* dates YYYY-MM-DD */
};

struct pdf_signer {
	const char *party;     /* "Kepala Dinas Kominfos", "Kepala Perangkat Daerah" */
	const char *name;
	const char *nip;       /* NULL when none */
	const char *signed_at; /* RFC 3339, NULL when not signed yet */
};

struct pdf_berita_acara {
	const char *const *letterhead; /* lines, NULL-terminated */
	const char *title;             /* NULL: derived from kind */
	const char *kind;              /* "pembangunan", "pengembangan", "integrasi" */
	const char *number;
	const char *date;              /* YYYY-MM-DD */
	const char *request_title;
	const char *agency_name;
	const char *party_first;       /* the Kominfos side, one line */
	const char *party_second;      /* the PD side, one line */
	const char *scope_summary;     /* free text, may hold newlines */
	const char *const *features;   /* NULL-terminated */
	const struct pdf_milestone *milestones;
	size_t nmilestones;
	const struct pdf_signer *signers;
	size_t nsigners;
	const char *content_sha256;    /* hex, printed in the footer of every page */
	const char *status;            /* "draft", "awaiting_signatures", "signed" */
};

/* The Indonesian word printed for a Berita Acara status key ("draft" ->
 * "Draf", "awaiting_signatures" -> "Menunggu tanda tangan", "signed" ->
 * "Ditandatangani"); the key itself when unknown, "" for NULL. Static. */
const char *pdf_status_word(const char *status);

/* The document title for a request kind ("BERITA ACARA KESEPAKATAN
 * PEMBANGUNAN APLIKASI", ... PENGEMBANGAN ..., ... INTEGRASI ...); the
 * generic "BERITA ACARA KESEPAKATAN" for NULL or an unknown kind. Static. */
const char *pdf_ba_title(const char *kind);

/* Renders the document: A4, letterhead, title and number, the parties, scope
 * and features, the timeline table, the signature block, and on every page a
 * footer with the status (in Indonesian), the content hash and "Halaman N
 * dari M"; every status but "signed" also draws a diagonal "DRAF" watermark
 * on each page. NULL
 * strings print as empty. On success *pdf is malloc'd (the caller frees it)
 * and *len is its size; on failure (a libharu error) returns false with
 * ERR_INTERNAL "pdf.render_failed", *pdf NULL and *len 0. */
bool pdf_berita_acara(const struct pdf_berita_acara *ba, unsigned char **pdf, size_t *len, struct err *e);

/* A person as a letter prints them. */
struct pdf_person {
	const char *name;
	const char *nip;      /* NULL when none */
	const char *position; /* jabatan, NULL when none */
};

struct pdf_surat_tugas {
	const char *const *letterhead; /* lines, NULL-terminated */
	const char *number;
	const char *date;              /* YYYY-MM-DD */
	const char *place;             /* where it is issued, e.g. "Denpasar" */
	const char *basis;             /* the "Dasar" paragraph: the request and its agreement */
	const char *purpose;           /* "Untuk": what the team is to do */
	const struct pdf_person *members;
	size_t nmembers;
	struct pdf_person issuer;      /* the Kepala Dinas */
	const char *issuer_title;      /* e.g. "Kepala Dinas" */
};

/* Renders the Surat Tugas: A4, letterhead, title and number, "Dasar", the
 * team as a table (No, Nama, NIP, Jabatan; its header repeated on a new
 * page), "Untuk", the place and date of issue and the issuer's signature
 * block; "Halaman N dari M" on every page. An issued Surat Tugas is final,
 * so it carries no watermark. Ownership and failure as pdf_berita_acara. */
bool pdf_surat_tugas(const struct pdf_surat_tugas *st, unsigned char **pdf, size_t *len, struct err *e);

#endif
