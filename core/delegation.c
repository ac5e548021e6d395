/* delegation.c — the position table and the delegation rules (see
 * delegation.h). */
#include "core/delegation.h"

#include <string.h>

static const struct {
	const char *key, *title;
	enum role role;
	unsigned acts;
} positions[POS_COUNT] = {
	[POS_NONE] = {NULL, NULL, ROLE_NONE, 0},
	[POS_KEPALA_DINAS] = {"kepala_dinas", "Kepala Dinas", ROLE_KEPALA_DINAS, DACT_DISPOSE | DACT_SIGN_BA | DACT_ISSUE_ST},
	[POS_KABID_IAI] = {"kabid_iai", "Kepala Bidang Infrastruktur dan Aplikasi Informatika", ROLE_KABID_IAI, DACT_DERIVE},
	[POS_KASI_AI] = {"kasi_ai", "Kepala Seksi Aplikasi Informatika", ROLE_KASI_AI, 0},
	[POS_KASUBBAG_TU] = {"kasubbag_tu", "Kepala Subbagian Tata Usaha", ROLE_SEKRETARIAT, DACT_REGISTER},
	[POS_KEPALA_PD] = {"kepala_pd", "Kepala Perangkat Daerah", ROLE_PD, DACT_SIGN_BA},
};

static const char *const act_names[] = {"dispose", "derive", "sign_ba", "issue_st", "register"};
#define NACTS (sizeof act_names / sizeof act_names[0])

const char *pos_name(enum position p)
{
	return (unsigned)p < POS_COUNT ? positions[p].key : NULL;
}

enum position pos_parse(const char *s)
{
	for (int p = 1; s && p < POS_COUNT; p++)
		if (strcmp(positions[p].key, s) == 0)
			return (enum position)p;
	return POS_NONE;
}

enum role pos_role(enum position p)
{
	return (unsigned)p < POS_COUNT ? positions[p].role : ROLE_NONE;
}

const char *pos_title(enum position p)
{
	return (unsigned)p < POS_COUNT ? positions[p].title : NULL;
}

unsigned pos_acts(enum position p)
{
	return (unsigned)p < POS_COUNT ? positions[p].acts : 0;
}

const char *dact_name(unsigned act)
{
	for (unsigned i = 0; i < NACTS; i++)
		if (act == 1u << i)
			return act_names[i];
	return NULL;
}

unsigned dact_parse(const char *s)
{
	for (unsigned i = 0; s && i < NACTS; i++)
		if (strcmp(act_names[i], s) == 0)
			return 1u << i;
	return 0;
}

const char *deleg_kind_prefix(const char *kind)
{
	if (kind && strcmp(kind, "plh") == 0)
		return "Plh.";
	if (kind && strcmp(kind, "plt") == 0)
		return "Plt.";
	return NULL;
}

enum deleg_status deleg_status_on(int starts_on, int ends_on, bool revoked, int today)
{
	if (revoked)
		return DELEG_REVOKED;
	if (today < starts_on)
		return DELEG_SCHEDULED;
	return today <= ends_on ? DELEG_ACTIVE : DELEG_EXPIRED;
}

const char *deleg_status_name(enum deleg_status s)
{
	static const char *const names[] = {"scheduled", "active", "expired", "revoked"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : NULL;
}

bool deleg_overlaps(int a_start, int a_end, unsigned a_acts, int b_start, int b_end, unsigned b_acts)
{
	return a_start <= b_end && b_start <= a_end && (a_acts & b_acts) != 0;
}

unsigned deleg_act_of_action(enum action a, enum position p)
{
	unsigned act = 0;
	switch (a) {
	case ACT_DISPOSITION_WRITE:
		act = p == POS_KABID_IAI ? DACT_DERIVE : DACT_DISPOSE;
		break;
	case ACT_BA_SIGN:
		act = DACT_SIGN_BA;
		break;
	case ACT_ST_ISSUE:
		act = DACT_ISSUE_ST;
		break;
	case ACT_REQUEST_ACT:
		act = DACT_REGISTER;
		break;
	default:
		return 0;
	}
	return act & pos_acts(p);
}
