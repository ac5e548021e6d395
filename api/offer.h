/* offer.h — what a request answer tells a client beyond the record itself:
 * whom the request waits on now and which actions the caller is offered.
 *
 * Both come from core/ (wf_desk_parties, wf_offered_actions), never from a
 * second copy of the rules: a single record gets them added here, and the
 * list and queue statements get them as small JSON maps (desk or state ->
 * value) built here from the same functions, so SQL looks them up by the
 * row's desk (DB_REQUEST_DESK, migration 0090) or state instead of deciding
 * anything. A request waits on the first party of its desk; in agreed,
 * when both signatories are missing, that is the Kepala Dinas, and the
 * request is on the PD's desk as well (the waiting_on filter and the
 * queues find it under either).
 */
#ifndef ALURD_API_OFFER_H
#define ALURD_API_OFFER_H

#include "api/api.h"
#include "core/actions.h"
#include "db/requests.h"

/* The party a request at desk `desk` (a DB_REQUEST_DESK key) waits on;
 * WF_PARTY_NONE for nobody or an unknown key. */
enum wf_party api_desk_party(const char *desk);

/* JSON object text {desk key: waiting party key} over every desk with a
 * waiting party (arena). */
const char *api_waiting_map(struct arena *a);

/* JSON object text {state key: [action keys]} of what role `who` is offered
 * in each state (arena). */
const char *api_actions_map(struct arena *a, enum role who);

/* A text[] literal of the document types a submission needs
 * (wf_submit_missing), for DB_OFFER_REFINED. Arena. */
const char *api_submit_types(struct arena *a);

/* A text[] literal ("{submitted,agreed:100}") of the desks where a party
 * `who` acts for (wf_party_includes) is among those waited on; "{}" when
 * none. Arena. */
const char *api_desks_waiting_on_role(struct arena *a, enum role who);

/* The same for the desks where p is among those waited on. */
const char *api_desks_waiting_on(struct arena *a, enum wf_party p);

/* Parses a waiting party key as wf_party_key writes it; WF_PARTY_NONE when
 * unknown or NULL. */
enum wf_party api_party_parse(const char *key);

/* r->json with "waiting_on" and "allowed_actions" for the caller added:
 * JSON text in the arena; NULL (e set) when a look-up it needs fails. */
const char *api_request_view(struct api_ctx *c, const struct db_request *r, struct err *e);

/* Answers status with the request view (api_request_view); false when it
 * failed. */
bool api_reply_request(struct api_ctx *c, int status, const struct db_request *r, struct err *e);

#endif
