/* agreements.h — what other resources use of step 7 (agreements.c): the
 * printable Berita Acara as bytes, for the evidence pack. */
#ifndef ALURD_API_AGREEMENTS_H
#define ALURD_API_AGREEMENTS_H

#include "api/api.h"
#include "db/agreements.h"

/* Renders ba as the PDF GET /berita-acara/{id}/pdf answers; *bytes lives in
 * the request's arena. */
bool api_ba_pdf(struct api_ctx *c, const struct db_ba *ba, const void **bytes, size_t *len, struct err *e);

#endif
