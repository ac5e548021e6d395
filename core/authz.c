/* authz.c — role names and the authorization table. */
#include "core/authz.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_NONE] = NULL,
	[ROLE_ADMIN] = "admin",
	[ROLE_KEPALA_DINAS] = "kepala_dinas",
	[ROLE_SEKRETARIAT] = "sekretariat",
	[ROLE_KABID_IAI] = "kabid_iai",
	[ROLE_KASI_AI] = "kasi_ai",
	[ROLE_TIM_SPBE] = "tim_spbe",
	[ROLE_PD] = "pd",
	[ROLE_INTEGRATION] = "integration",
	[ROLE_AUDITOR] = "auditor",
};

#define R(x) (1u << (x))
#define STAFF (R(ROLE_KEPALA_DINAS) | R(ROLE_SEKRETARIAT) | R(ROLE_KABID_IAI) | R(ROLE_KASI_AI) | R(ROLE_TIM_SPBE))
#define HUMANS (R(ROLE_ADMIN) | STAFF | R(ROLE_PD) | R(ROLE_AUDITOR))
#define EVERYONE (HUMANS | R(ROLE_INTEGRATION))

/* The authorization table: for each action, the roles that may do it. */
static const unsigned allowed[ACT_COUNT] = {
	[ACT_PUBLIC] = EVERYONE,
	[ACT_SELF_READ] = EVERYONE,
	[ACT_SELF_PASSWORD] = HUMANS,
	[ACT_AGENCY_READ] = EVERYONE,
	[ACT_AGENCY_WRITE] = R(ROLE_ADMIN),
	[ACT_USER_READ] = R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[ACT_USER_WRITE] = R(ROLE_ADMIN),
	[ACT_CLIENT_READ] = R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[ACT_CLIENT_WRITE] = R(ROLE_ADMIN),
	[ACT_REQUEST_READ] = EVERYONE,
	[ACT_REQUEST_CREATE] = R(ROLE_PD) | R(ROLE_INTEGRATION),
	[ACT_REQUEST_EDIT] = R(ROLE_PD) | R(ROLE_INTEGRATION),
	[ACT_REQUEST_ACT] = STAFF | R(ROLE_PD) | R(ROLE_INTEGRATION),
	[ACT_DOCUMENT_READ] = EVERYONE,
	[ACT_DOCUMENT_UPLOAD] = STAFF | R(ROLE_PD) | R(ROLE_INTEGRATION),
	[ACT_DISPOSITION_READ] = STAFF | R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[ACT_DISPOSITION_WRITE] = R(ROLE_KEPALA_DINAS) | R(ROLE_KABID_IAI),
	[ACT_DISPOSITION_RECEIPT] = STAFF,
	[ACT_DISCUSSION_READ] = EVERYONE,
	[ACT_DISCUSSION_WRITE] = R(ROLE_KASI_AI) | R(ROLE_TIM_SPBE),
	[ACT_AGREEMENT_READ] = EVERYONE,
	[ACT_BA_WRITE] = R(ROLE_KASI_AI),
	[ACT_BA_SIGN] = R(ROLE_KEPALA_DINAS) | R(ROLE_PD),
	[ACT_ST_ISSUE] = R(ROLE_KEPALA_DINAS),
	[ACT_METRICS_READ] = R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[ACT_SLA_READ] = STAFF | R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[ACT_SLA_ADMIN] = R(ROLE_ADMIN),
	[ACT_CALENDAR_READ] = EVERYONE,
	[ACT_WEBHOOK_ADMIN] = R(ROLE_ADMIN) | R(ROLE_INTEGRATION),
	[ACT_AUDIT_LOG_READ] = R(ROLE_ADMIN) | R(ROLE_AUDITOR) | R(ROLE_KEPALA_DINAS),
	[ACT_AUDIT_CHECKPOINT] = R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[ACT_EVIDENCE_READ] = R(ROLE_ADMIN) | R(ROLE_AUDITOR) | R(ROLE_KEPALA_DINAS) | R(ROLE_PD),
	[ACT_SLA_REPORT] = R(ROLE_ADMIN) | R(ROLE_AUDITOR) | R(ROLE_KEPALA_DINAS),
	[ACT_DIRECTORY_READ] = HUMANS,
	[ACT_QUEUE_READ] = STAFF | R(ROLE_PD),
	[ACT_AUDIT_READ] = R(ROLE_ADMIN) | R(ROLE_AUDITOR),
	[ACT_DELEGATION_READ] = HUMANS,
	[ACT_DELEGATION_WRITE] = R(ROLE_ADMIN) | STAFF | R(ROLE_PD),
};

bool authz_allowed(enum role r, enum action a)
{
	if (r <= ROLE_NONE || r >= ROLE_COUNT || (unsigned)a >= ACT_COUNT)
		return false;
	return (allowed[a] & R(r)) != 0;
}

bool authz_agency_bound(const struct principal *p)
{
	return p->role == ROLE_PD || (p->role == ROLE_INTEGRATION && p->agency_id[0]);
}

bool authz_agency_visible(const struct principal *p, const char *agency_id)
{
	if (!authz_agency_bound(p))
		return true;
	return agency_id && strcmp(p->agency_id, agency_id) == 0;
}

static const char *const scope_names[] = {
	[CLIENT_SCOPE_OWN] = "own",
	[CLIENT_SCOPE_VISIBLE] = "visible",
};

const char *client_scope_name(enum client_scope s)
{
	return (unsigned)s < sizeof scope_names / sizeof scope_names[0] ? scope_names[s] : NULL;
}

bool client_scope_parse(const char *s, enum client_scope *out)
{
	for (size_t i = 0; s && i < sizeof scope_names / sizeof scope_names[0]; i++)
		if (strcmp(scope_names[i], s) == 0) {
			*out = (enum client_scope)i;
			return true;
		}
	return false;
}

bool authz_may_act_on(const struct principal *p, enum client_scope scope, const char *request_client_id)
{
	if (p->role != ROLE_INTEGRATION)
		return true;
	if (scope == CLIENT_SCOPE_VISIBLE)
		return true;
	return request_client_id && request_client_id[0] && strcmp(request_client_id, p->subject) == 0;
}

const char *role_name(enum role r)
{
	if ((unsigned)r >= ROLE_COUNT)
		return NULL;
	return role_names[r];
}

enum role role_parse(const char *s)
{
	if (!s)
		return ROLE_NONE;
	for (int r = 1; r < ROLE_COUNT; r++)
		if (strcmp(role_names[r], s) == 0)
			return (enum role)r;
	return ROLE_NONE;
}
