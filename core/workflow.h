/* workflow.h — the request state machine of the SOP, as data.
 *
 * A request moves through the seven SOP steps by named actions; every legal
 * move is one row of a table (from state, action, to state, the roles that
 * may perform it, the step it completes and the step it starts). Nothing else
 * in alurd decides whether a move is allowed: handlers call wf_apply() and
 * persist what the returned row says, and the API lists a request's next
 * actions from the same table. Pure functions over constant data; no
 * allocation, no clock, libc only.
 *
 * The SPEC writes the discussion states as in_discussion(awal) and so on. In
 * the API they are the status "in_discussion" plus a separate "phase"
 * ("awal" | "lanjutan" | "final"); in the database each state has one unique
 * key ("in_discussion_awal"). Steps are numbered 1..7 as in the SOP; 0 means
 * "no step".
 */
#ifndef ALURD_CORE_WORKFLOW_H
#define ALURD_CORE_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/authz.h"
#include "core/err.h"

enum wf_state {
	WF_DRAFT = 0,
	WF_SUBMITTED,
	WF_AWAITING_DISPOSITION,
	WF_DISPOSED,
	WF_IN_DISCUSSION_AWAL,
	WF_IN_DISCUSSION_LANJUTAN,
	WF_IN_DISCUSSION_FINAL,
	WF_AWAITING_PD_COMPLETION,
	WF_AGREED,
	WF_COMPLETED,
	WF_WITHDRAWN,
	WF_REJECTED,
	WF_STATE_COUNT /* also what wf_state_parse answers for an unknown key */
};

enum wf_action {
	WF_SUBMIT = 0,             /* pd/integration sends the draft: step 1 done, step 2 starts */
	WF_REGISTER,               /* sekretariat gives the agenda number, routes to the Kepala Dinas */
	WF_DISPOSE,                /* kepala_dinas disposes to the kabid: step 2 done */
	WF_DERIVE,                 /* kabid derives the disposition to the kasi: step 3 done */
	WF_RECORD_AWAL,            /* initial discussion recorded, checklist complete: step 4 done */
	WF_RECORD_AWAL_INCOMPLETE, /* initial discussion recorded, some item incomplete: wait on the PD */
	WF_PD_COMPLETE,            /* the PD delivered the missing items: back to the initial discussion */
	WF_RECORD_LANJUTAN,        /* follow-up discussion and analysis recorded: step 5 done */
	WF_RECORD_FINAL,           /* final agreement (scope, timeline) recorded: step 6 done */
	WF_SIGN_BA_COMPLETE,       /* the berita acara got its last signature: step 7 done */
	WF_ISSUE_ST,               /* the Kepala Dinas issued the surat tugas: step 7 done */
	WF_WITHDRAW,               /* the PD withdraws an open request */
	WF_REJECT,
	WF_UNDO_DISPOSE, /* the Kepala Dinas withdraws an unread disposition */
	WF_UNDO_DERIVE,  /* the Kabid withdraws an unread derived disposition */
	                 /* the Kepala Dinas or the Kabid rejects a submitted request */
	WF_ACTION_COUNT /* also what wf_action_parse answers for an unknown key */
};

/* Who a request is waiting on, for attributing delay. */
enum wf_party {
	WF_PARTY_NONE = 0, /* terminal: nobody */
	WF_PARTY_PD,
	WF_PARTY_SEKRETARIAT,
	WF_PARTY_KEPALA_DINAS,
	WF_PARTY_KABID,
	WF_PARTY_KASI_TEAM, /* the Kasi AI together with the Tim SPBE */
	WF_PARTY_COUNT
};

/* One legal move. roles is a bitmask of (1u << enum role). completes_step
 * is the SOP step whose instance gets completed_at (0 = none); starts_step
 * the step whose instance is created at the same instant (0 = none). When
 * closes_open_step is set (withdraw, reject) the instance of the step running
 * in `from` (wf_step_of_state), if one exists, is closed as cancelled: it is
 * not completed and no step starts. */
struct wf_transition {
	enum wf_state from;
	enum wf_action action;
	enum wf_state to;
	unsigned roles;
	int completes_step;
	int starts_step;
	bool closes_open_step;
	int reopens_step; /* a withdrawn disposition: this step runs again and the
			     instance of the step after it is removed (0 = none) */
};

/* The unique key of a state, as stored in the database ("draft",
 * "in_discussion_awal", ...); NULL when s is out of range. Static string. */
const char *wf_state_key(enum wf_state s);

/* Parses a database key (exactly as wf_state_key gives it); answers
 * WF_STATE_COUNT for NULL or an unknown key. */
enum wf_state wf_state_parse(const char *key);

/* The API "status" of a state: the key, except that the three discussion
 * phases all answer "in_discussion". NULL when s is out of range. */
const char *wf_state_status(enum wf_state s);

/* The API "phase" of a discussion state ("awal", "lanjutan", "final"); NULL
 * for every other state (rendered as JSON null or omitted). */
const char *wf_state_phase(enum wf_state s);

/* The key of an action as used in URLs and the audit log ("submit",
 * "record_awal_incomplete", ...); NULL when a is out of range. */
const char *wf_action_key(enum wf_action a);

/* Parses an action key; answers WF_ACTION_COUNT for NULL or an unknown key. */
enum wf_action wf_action_parse(const char *key);

/* The key of a party ("pd", "sekretariat", "kepala_dinas", "kabid_iai",
 * "kasi_ai_tim_spbe"); NULL for WF_PARTY_NONE and out of range. */
const char *wf_party_key(enum wf_party p);

/* True for a request still in the procedure (draft up to agreed, including
 * awaiting_pd_completion): it may be withdrawn. False for terminal states
 * and out-of-range values. */
bool wf_is_open(enum wf_state s);

/* True for completed, withdrawn and rejected: no action leaves them. */
bool wf_is_terminal(enum wf_state s);

/* True when the request waits on the PD to complete the business process
 * (awaiting_pd_completion): the SLA clock of the running step pauses. */
bool wf_state_waits_on_pd(enum wf_state s);

/* The SOP step running in a state: draft 1, submitted and
 * awaiting_disposition 2, disposed 3, in_discussion awal and
 * awaiting_pd_completion 4, lanjutan 5, final 6, agreed 7; 0 for terminal
 * states and out of range. This is the request's `current_step`. */
int wf_step_of_state(enum wf_state s);

/* Whom a request in state s waits on: draft and awaiting_pd_completion the
 * PD, submitted the secretariat, awaiting_disposition the Kepala Dinas,
 * disposed the Kabid, the discussions the Kasi and team, agreed the Kepala
 * Dinas (signature, surat tugas); WF_PARTY_NONE for terminal states. In
 * agreed this is only the coarse answer: wf_agreed_waiting says who waits
 * once the Berita Acara's progress is known (delay attribution uses it). */
enum wf_party wf_waiting_party(enum wf_state s);

/* Who a request in `agreed` (step 7) waits on, as far as the Berita Acara
 * has come: before it is sent for signature, the Kasi (who drafts it); once
 * sent, each signatory who has not signed yet (the Kepala Dinas, the PD's
 * signatory). Writes 0, 1 or 2 parties into out and returns how many; when
 * two wait at once, delay attribution splits the time equally between them,
 * so the parties' shares always add up to the time that passed. */
struct wf_ba_progress {
	bool sent;                /* the Berita Acara went out for signature */
	bool kepala_dinas_signed; /* the Kepala Dinas (or one acting for him) signed */
	bool pd_signed;           /* the PD's signatory signed */
};
size_t wf_agreed_waiting(const struct wf_ba_progress *ba, enum wf_party out[2]);

/* A desk: where a request stands for whom it waits on — its state and, in
 * agreed, the Berita Acara's progress. The database names a desk by a key
 * (DB_REQUEST_DESK, migrations/0090): the state's key, or in agreed "agreed:"
 * and three digits, 1 or 0 (sent, signed by the Kepala Dinas's side, signed
 * by the PD's side). */
struct wf_desk {
	enum wf_state state;
	struct wf_ba_progress ba; /* agreed only */
};
#define WF_DESK_KEY_MAX 32

/* The i-th desk of all there are (every state but agreed, then agreed's
 * eight progresses): true while i is in range. */
bool wf_desk_at(size_t i, struct wf_desk *out);

/* The key of d into buf (at most WF_DESK_KEY_MAX bytes with its NUL). */
void wf_desk_key(const struct wf_desk *d, char buf[WF_DESK_KEY_MAX]);

/* Parses a desk key as DB_REQUEST_DESK gives it; false for NULL or unknown. */
bool wf_desk_parse(const char *key, struct wf_desk *out);

/* Who waits at desk d: wf_waiting_party of its state, or in agreed
 * wf_agreed_waiting's parties (the first is the one a request's
 * `waiting_on` names). Writes 0 to 2 parties into out; returns how many. */
size_t wf_desk_parties(const struct wf_desk *d, enum wf_party out[2]);

/* SOP step 1: a request is a letter WITH the business-process document. The
 * document types a submission needs ("surat_permohonan", "proses_bisnis")
 * that are not among have[0..nhave) go into out (static strings, at most
 * max, in that order); returns how many are missing (0: it may be submitted). */
size_t wf_submit_missing(const char *const *have, size_t nhave, const char *out[], size_t max);

/* The six checklist items of the initial discussion, in the SPEC's order:
 * alur_sistem, data_input_output, mekanisme_validasi, role_pengguna,
 * mekanisme_pelaporan, proses_bisnis_terkait. */
#define WF_CHECKLIST_ITEMS 6
/* The key of item i (0..5), NULL out of range. Static string. */
const char *wf_checklist_key(int i);
/* The index of an item key, -1 when unknown. */
int wf_checklist_index(const char *key);
/* A completion answers the last initial discussion: every item it marked
 * incomplete must be addressed. Both arguments are bitmasks over the item
 * indices (1u << i); returns the mask of incomplete items not answered (0:
 * the completion is whole). */
unsigned wf_completion_unanswered(unsigned incomplete, unsigned answered);

/* The whole transition table (static, never freed); *n gets its row count.
 * Each (from, action) pair appears at most once. */
const struct wf_transition *wf_table(size_t *n);

/* The row for (from, a) whatever the role, or NULL when there is none. */
const struct wf_transition *wf_transition_find(enum wf_state from, enum wf_action a);

/* Decides whether `who` may perform `a` on a request in state `from`. On
 * success returns true, sets *out (when out is not NULL) to the table row
 * (borrowed, static) and leaves e untouched. Otherwise returns false, sets
 * *out to NULL and fills e; the checks run in this order:
 *   1. from or a out of range      ERR_INVALID   "request.invalid_action"
 *   2. from is terminal            ERR_CONFLICT  "request.closed"
 *   3. no row for (from, a)        ERR_CONFLICT  "request.invalid_transition"
 *   4. row exists, who not in it   ERR_FORBIDDEN "request.role_not_allowed"
 * The state comes before the role: whether a move exists at all is a fact
 * about the request every caller may learn (reload and see), so a move that
 * no one could make now is 409 whoever asks; 403 means "this move exists now,
 * but not for you". (Roles that may take no workflow action at all, such as
 * auditor, are refused earlier by the route's authorization.) */
bool wf_apply(enum wf_state from, enum wf_action a, enum role who, const struct wf_transition **out,
	      struct err *e);

/* Writes into out[0..max) the actions `who` may perform from state `from`,
 * in enum wf_action order, and returns how many were written (at most max;
 * WF_ACTION_COUNT entries are always enough). */
size_t wf_allowed_actions(enum wf_state from, enum role who, enum wf_action out[], size_t max);

#endif
