/* docsniff.c — see docsniff.h. */
#include "core/docsniff.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const struct {
	enum doc_format f;
	const char *type;
} types[] = {
	{DOC_PDF, "application/pdf"},
	{DOC_DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{DOC_XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{DOC_ODT, "application/vnd.oasis.opendocument.text"},
	{DOC_PNG, "image/png"},
	{DOC_JPEG, "image/jpeg"},
};
#define NTYPES (sizeof types / sizeof types[0])

static bool contains(const unsigned char *d, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (d[i] == (unsigned char)needle[0] && memcmp(d + i, needle, k) == 0)
			return true;
	return false;
}

enum doc_format doc_sniff(const unsigned char *d, size_t n)
{
	static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
	if (n >= 5 && memcmp(d, "%PDF-", 5) == 0)
		return DOC_PDF;
	if (n >= sizeof png && memcmp(d, png, sizeof png) == 0)
		return DOC_PNG;
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return DOC_JPEG;
	if (n < 30 || memcmp(d, "PK\x03\x04", 4) != 0)
		return DOC_UNKNOWN;
	/* ODF: the first member is an uncompressed "mimetype" holding the type */
	size_t name_len = (size_t)d[26] | (size_t)d[27] << 8;
	size_t extra_len = (size_t)d[28] | (size_t)d[29] << 8;
	static const char odt[] = "application/vnd.oasis.opendocument.text";
	if (name_len == 8 && n >= 30 + 8 && memcmp(d + 30, "mimetype", 8) == 0) {
		size_t at = 30 + 8 + extra_len;
		size_t k = sizeof odt - 1;
		return n >= at + k && memcmp(d + at, odt, k) == 0 && (n == at + k || d[at + k] < 0x20 || d[at + k] == 'P')
			       ? DOC_ODT
			       : DOC_UNKNOWN;
	}
	/* OOXML: member names are stored in clear in the local headers and the
	 * central directory */
	if (!contains(d, n, "[Content_Types].xml"))
		return DOC_UNKNOWN;
	if (contains(d, n, "word/"))
		return DOC_DOCX;
	if (contains(d, n, "xl/"))
		return DOC_XLSX;
	return DOC_UNKNOWN;
}

enum doc_format doc_format_of_type(const char *ct)
{
	if (!ct)
		return DOC_UNKNOWN;
	size_t n = strcspn(ct, ";");
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < NTYPES; i++)
		if (strlen(types[i].type) == n && strncasecmp(types[i].type, ct, n) == 0)
			return types[i].f;
	return DOC_UNKNOWN;
}

const char *doc_format_type(enum doc_format f)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (types[i].f == f)
			return types[i].type;
	return NULL;
}
