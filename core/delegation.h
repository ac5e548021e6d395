/* delegation.h — positions (jabatan) and the acts a Plh or Plt may take
 * for them.
 *
 * The acts of the SOP belong to a position, not to a person: the Kepala
 * Dinas disposes, signs the Berita Acara for Kominfos and issues the Surat
 * Tugas; the Kabid IAI derives the disposition; the Kasubbag TU (the
 * sekretariat) registers; the Kepala PD of an agency signs for that agency.
 * A person holds a position through their account: an active user whose role
 * is the position's role holds it (for the Kepala PD: an active pd user of
 * the agency marked is_signatory). A delegation lends some of a position's
 * acts to another person for a period; while it is in force that person acts
 * with the position's role (and, for a Kepala PD, its agency).
 *
 * Pure tables and lookups; the current date is always a parameter.
 */
#ifndef ALURD_CORE_DELEGATION_H
#define ALURD_CORE_DELEGATION_H

#include <stdbool.h>

#include "core/authz.h"

enum position {
	POS_NONE = 0,
	POS_KEPALA_DINAS,
	POS_KABID_IAI,
	POS_KASI_AI,
	POS_KASUBBAG_TU,
	POS_KEPALA_PD, /* of one agency */
	POS_COUNT
};

/* The acts a delegation may lend (bits of a mask). */
enum deleg_act {
	DACT_DISPOSE = 1u << 0,  /* step 2: the Kepala Dinas's disposition */
	DACT_DERIVE = 1u << 1,   /* step 3: the Kabid's derived disposition */
	DACT_SIGN_BA = 1u << 2,  /* sign the Berita Acara for the position's party */
	DACT_ISSUE_ST = 1u << 3, /* issue the Surat Tugas */
	DACT_REGISTER = 1u << 4, /* register the letter (agenda number) */
};
#define DACT_ALL (DACT_DISPOSE | DACT_DERIVE | DACT_SIGN_BA | DACT_ISSUE_ST | DACT_REGISTER)

/* Key as used in JSON ("kepala_dinas"); NULL out of range. */
const char *pos_name(enum position p);
/* POS_NONE when unknown. */
enum position pos_parse(const char *s);
/* The role whose holders hold p (ROLE_PD for a Kepala PD). */
enum role pos_role(enum position p);
/* The position's title as official letters print it ("Kepala Dinas"). */
const char *pos_title(enum position p);
/* The acts that belong to p (mask of enum deleg_act; 0 for the Kasi AI:
 * none of the lendable acts is his). */
unsigned pos_acts(enum position p);

/* Act key ("sign_ba"); NULL unless a single known bit. */
const char *dact_name(unsigned act);
/* 0 when unknown. */
unsigned dact_parse(const char *s);

/* "plh" (Pelaksana Harian: an absence) or "plt" (Pelaksana Tugas: a vacant
 * post); the prefix official letters print, "Plh." or "Plt.", or NULL. */
const char *deleg_kind_prefix(const char *kind);

/* Where a delegation stands on day `today` (local day numbers of the
 * business calendar, as starts_on and ends_on; the end is inclusive). */
enum deleg_status { DELEG_SCHEDULED, DELEG_ACTIVE, DELEG_EXPIRED, DELEG_REVOKED };
enum deleg_status deleg_status_on(int starts_on, int ends_on, bool revoked, int today);
const char *deleg_status_name(enum deleg_status s);

/* The overlap rule: two delegations of the same position (and agency) that
 * are not revoked conflict when their periods share a day and their acts
 * share an act; the second one is refused. (For one act of one position there
 * is never more than one delegate in force.) */
bool deleg_overlaps(int a_start, int a_end, unsigned a_acts, int b_start, int b_end, unsigned b_acts);

/* The lendable act a route's action takes for position p, or 0 when the
 * action is none of them (a read, or an act no delegation lends). Transitions
 * (ACT_REQUEST_ACT) are decided by their handler: DACT_REGISTER. */
unsigned deleg_act_of_action(enum action a, enum position p);

#endif
