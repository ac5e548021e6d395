/* actions.c — see actions.h. Two small tables indexed by the enums. */
#include "core/actions.h"

static const enum action routes[WF_ACTION_COUNT] = {
	[WF_SUBMIT] = ACT_REQUEST_ACT,
	[WF_REGISTER] = ACT_REQUEST_ACT,
	[WF_DISPOSE] = ACT_DISPOSITION_WRITE,
	[WF_DERIVE] = ACT_DISPOSITION_WRITE,
	[WF_RECORD_AWAL] = ACT_DISCUSSION_WRITE,
	[WF_RECORD_AWAL_INCOMPLETE] = ACT_DISCUSSION_WRITE,
	[WF_PD_COMPLETE] = ACT_REQUEST_ACT,
	[WF_RECORD_LANJUTAN] = ACT_DISCUSSION_WRITE,
	[WF_RECORD_FINAL] = ACT_DISCUSSION_WRITE,
	[WF_SIGN_BA_COMPLETE] = ACT_COUNT, /* the effect of the last signature */
	[WF_ISSUE_ST] = ACT_ST_ISSUE,
	[WF_WITHDRAW] = ACT_REQUEST_ACT,
	[WF_REJECT] = ACT_REQUEST_ACT,
	[WF_UNDO_DISPOSE] = ACT_COUNT, /* withdrawing the disposition */
	[WF_UNDO_DERIVE] = ACT_COUNT,
};

#define R(x) (1u << (x))
static const unsigned party_roles[WF_PARTY_COUNT] = {
	[WF_PARTY_NONE] = 0,
	[WF_PARTY_PD] = R(ROLE_PD) | R(ROLE_INTEGRATION),
	[WF_PARTY_SEKRETARIAT] = R(ROLE_SEKRETARIAT),
	[WF_PARTY_KEPALA_DINAS] = R(ROLE_KEPALA_DINAS),
	[WF_PARTY_KABID] = R(ROLE_KABID_IAI),
	[WF_PARTY_KASI_TEAM] = R(ROLE_KASI_AI) | R(ROLE_TIM_SPBE),
};

enum action wf_action_route(enum wf_action a)
{
	return (unsigned)a < WF_ACTION_COUNT ? routes[a] : ACT_COUNT;
}

size_t wf_offered_actions(enum wf_state s, enum role who, enum wf_action out[], size_t max)
{
	enum wf_action all[WF_ACTION_COUNT];
	size_t n = wf_allowed_actions(s, who, all, WF_ACTION_COUNT), k = 0;
	for (size_t i = 0; i < n && k < max; i++) {
		enum action route = wf_action_route(all[i]);
		if (route != ACT_COUNT && authz_allowed(who, route))
			out[k++] = all[i];
	}
	/* after a Berita Acara a Surat Tugas may still follow: a record, not a move */
	if (s == WF_COMPLETED && authz_allowed(who, wf_action_route(WF_ISSUE_ST)) && k < max)
		out[k++] = WF_ISSUE_ST;
	return k;
}

bool wf_accepts_surat_tugas(enum wf_state s)
{
	return s == WF_AGREED || s == WF_COMPLETED;
}

bool wf_party_includes(enum wf_party p, enum role who)
{
	return (unsigned)p < WF_PARTY_COUNT && who > ROLE_NONE && who < ROLE_COUNT && (party_roles[p] & R(who));
}
