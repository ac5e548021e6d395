/* fuzz_docsniff.c — document sniffing (core/docsniff.c): the uploaded bytes
 * decide the format, including the ZIP-based office formats whose central
 * directory it walks. Input: the first line is a Content-Type (for
 * doc_format_of_type), the rest the document. Oracle: the sniffed format is
 * one of the enum and its canonical type maps back to it.
 */
#include "core/docsniff.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exactly the bytes given, in a buffer of their own size: ASan catches
	 * any read past the end */
	unsigned char *doc = malloc(size ? size : 1);
	if (!doc)
		abort();
	if (size)
		memcpy(doc, data, size);
	enum doc_format f = doc_sniff(doc, size);
	fuzz_assert(f >= DOC_UNKNOWN && f <= DOC_JPEG);
	if (f != DOC_UNKNOWN)
		fuzz_assert(doc_format_of_type(doc_format_type(f)) == f);
	free(doc);

	const uint8_t *nl = memchr(data, '\n', size);
	if (nl) {
		char *type = fuzz_cstr(data, (size_t)(nl - data));
		enum doc_format t = doc_format_of_type(type);
		fuzz_assert(t >= DOC_UNKNOWN && t <= DOC_JPEG);
		free(type);
	}
	return 0;
}
