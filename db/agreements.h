/* agreements.h — step 7's records: the Berita Acara (draft -> awaiting
 * signatures -> signed) with its signatures, and the Surat Tugas. The
 * database itself refuses changes to frozen or signed content (migration
 * 0004), so a bug here cannot rewrite what was signed. */
#ifndef ALURD_DB_AGREEMENTS_H
#define ALURD_DB_AGREEMENTS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct db_ba {
	const char *id, *request_id, *agency_id, *status, *number, *date, *parties, *scope, *milestones,
		*content_sha256, *json;
	int version;
};

/* Creates the draft; date is today in time zone tz. */
bool db_ba_insert(struct err *e, struct arena *a, const char *request_id, const char *number, const char *tz,
		  const char *parties, const char *scope, const char *milestones, const char *actor, struct db_ba *out);
bool db_ba_get(struct err *e, struct arena *a, const char *id, bool lock, struct db_ba *out, bool *found);
bool db_ba_by_request(struct err *e, struct arena *a, const char *request_id, struct db_ba *out, bool *found);
/* Edits a draft (NULL leaves a field), version + 1. */
bool db_ba_update(struct err *e, struct arena *a, const char *id, const char *date, const char *scope,
		  const char *milestones, struct db_ba *out);
/* Freezes the content: status awaiting_signatures, canonical text and hash. */
bool db_ba_send(struct err *e, struct arena *a, const char *id, const char *canonical, const char *sha256,
		struct db_ba *out);
/* Adds the party's signature (delegation_id: the delegation the signer acted
 * under, or NULL); *count receives how many parties have signed. */
bool db_ba_sign(struct err *e, const char *id, const char *party, const char *signer, const char *sha256,
		const char *delegation_id, int *count);
bool db_ba_mark_signed(struct err *e, struct arena *a, const char *id, struct db_ba *out);

/* What the PDF prints beyond the record: request title, agency name, and
 * per party the signer's name, NIP and local signing time in zone tz
 * (NULLs when unsigned). */
struct db_ba_print {
	const char *request_title, *agency_name, *kind;
	const char *name[2], *nip[2], *signed_at[2]; /* [0] kominfos, [1] perangkat_daerah */
	const char *acting_kind[2]; /* "plh" / "plt" when signed under a delegation, else NULL */
};
bool db_ba_print_data(struct err *e, struct arena *a, const struct db_ba *ba, const char *tz, struct db_ba_print *out);

/* People the Berita Acara names as signatories when drafted: the Kepala
 * Dinas who disposed the request if they still hold the post (else the
 * holder, none while it is vacant), and the signatory of the request's
 * agency. The signatures themselves are per position (api/agreements.c). */
struct db_signatory {
	const char *id, *name, *nip;
};
bool db_ba_signatories(struct err *e, struct arena *a, const char *request_id, const char *agency_id,
		       struct db_signatory *kominfos, struct db_signatory *pd, const char **agency_name);

bool db_st_insert(struct err *e, struct arena *a, const char *request_id, const char *number, const char *tz,
		  const char *purpose, const char *member_ids, const char *actor, const char *delegation_id,
		  const char **id, const char **json);
/* *agency_id receives the request's agency, for the visibility rule. */
bool db_st_get(struct err *e, struct arena *a, const char *id, const char **agency_id, const char **json);
bool db_st_list(struct err *e, struct arena *a, const char *request_id, const char **json);

/* What the Surat Tugas PDF prints. members is JSON text: an array of
 * {name, nip, position} in the order of member_ids. ba_number is NULL when
 * the request has no Berita Acara. */
struct db_st_print {
	const char *number, *date, *purpose, *agency_id;
	const char *issuer_name, *issuer_nip, *issuer_position;
	const char *request_title, *agency_name, *ba_number, *members;
	const char *issuer_acting_kind; /* "plh" / "plt" when issued under a delegation */
};
bool db_st_print_data(struct err *e, struct arena *a, const char *id, struct db_st_print *out, bool *found);

#endif
