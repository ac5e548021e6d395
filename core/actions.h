/* actions.h — what a client may offer the caller on a request, and whose
 * turn it is, both derived from the one transition table (core/workflow.c)
 * and the one authorization table (core/authz.c).
 *
 * A client shows a button only for an action the server would accept, so the
 * offered actions are the workflow's allowed actions for the caller's role in
 * the request's state, kept only when the route that performs the action is
 * open to that role in the authorization table (the agency rule is the
 * caller's to apply: a request it cannot see is not offered at all). Actions
 * that no route performs directly (the last signature completes the Berita
 * Acara; withdrawing a disposition undoes it) are never offered. Pure
 * functions, libc only.
 */
#ifndef ALURD_CORE_ACTIONS_H
#define ALURD_CORE_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/authz.h"
#include "core/workflow.h"

/* The authorization-table action of the route that performs workflow action
 * a (dispose and derive: ACT_DISPOSITION_WRITE; the discussion records:
 * ACT_DISCUSSION_WRITE; issue_st: ACT_ST_ISSUE; the rest ACT_REQUEST_ACT);
 * ACT_COUNT for an action no route performs directly (sign_ba_complete,
 * undo_dispose, undo_derive) and out of range. */
enum action wf_action_route(enum wf_action a);

/* Writes into out[0..max) the actions `who` is offered on a request in state
 * s, in enum wf_action order, and returns how many (WF_ACTION_COUNT entries
 * are always enough). On a completed request issue_st is offered to whoever
 * may issue a Surat Tugas (see wf_accepts_surat_tugas). */
size_t wf_offered_actions(enum wf_state s, enum role who, enum wf_action out[], size_t max);

/* True when a Surat Tugas may be issued on a request in state s: once
 * agreed (it completes step 7), and after completion (the SOP's "and/or":
 * a Surat Tugas may follow the signed Berita Acara, recorded without a
 * move of the state machine). */
bool wf_accepts_surat_tugas(enum wf_state s);

/* True when party p is the caller's to act for: the PD side (pd users and
 * integration clients), the secretariat, the Kepala Dinas, the Kabid, the
 * Kasi and the Tim SPBE (together). False for WF_PARTY_NONE. */
bool wf_party_includes(enum wf_party p, enum role who);

#endif
