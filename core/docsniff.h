/* docsniff.h — what a file really is, from its first bytes.
 *
 * Uploads are accepted only as PDF, DOCX, XLSX, ODT, PNG or JPEG, and the
 * declared Content-Type must agree with the content: a renamed executable
 * labelled application/pdf is refused. DOCX, XLSX and ODT are ZIP archives,
 * told apart by their member names (word/, xl/) or ODF's leading "mimetype"
 * member.
 */
#ifndef ALURD_CORE_DOCSNIFF_H
#define ALURD_CORE_DOCSNIFF_H

#include <stddef.h>

enum doc_format { DOC_UNKNOWN = 0, DOC_PDF, DOC_DOCX, DOC_XLSX, DOC_ODT, DOC_PNG, DOC_JPEG };

/* The format of the content (DOC_UNKNOWN for anything else). */
enum doc_format doc_sniff(const unsigned char *data, size_t len);

/* The format a Content-Type names (parameters ignored, case-insensitive);
 * DOC_UNKNOWN when it is not an accepted type. */
enum doc_format doc_format_of_type(const char *content_type);

/* The canonical media type of a format; NULL for DOC_UNKNOWN. */
const char *doc_format_type(enum doc_format f);

#endif
