/* events.c — the catalogue (see events.h): the types in the order of the
 * procedure, then which audit action each non-derived type answers. Lookups
 * are linear scans over a few dozen constant rows. */
#include "core/events.h"

#include <string.h>

static const struct ev_type catalogue[] = {
	/* the request's own life */
	{"request.created", NULL, "A request was drafted (or received from the e-office)."},
	{"request.updated", NULL, "A draft was edited."},
	{"request.submitted", NULL, "The PD submitted the request: step 1 done, step 2 starts."},
	{"request.registered", NULL, "The secretariat registered the letter with its agenda number."},
	{"request.disposed", NULL, "The Kepala Dinas disposed the request to the Kabid: step 2 done."},
	{"request.rejected", NULL, "The Kepala Dinas or the Kabid rejected the request."},
	{"request.withdrawn", NULL, "The PD withdrew the request."},
	{"request.completed", "transition", "The request reached `completed`: step 7 done."},
	{"request.step_started", "transition", "A step's instance started, with its deadlines."},
	{"request.paused", "transition", "The running step's clock stopped: the request waits on the PD."},
	{"request.resumed", "transition", "The running step's clock runs again, its deadlines pushed."},
	/* dispositions */
	{"disposition.created", NULL, "The Kabid derived the disposition to the Kasi: step 3 done."},
	{"disposition.read", NULL, "A recipient read a disposition (its first read only)."},
	{"disposition.withdrawn", NULL, "An unread disposition was withdrawn by its author: its step runs again."},
	/* discussions (steps 4-6) */
	{"discussion.recorded", NULL, "A discussion was recorded (with the checklist outcome for the initial one)."},
	{"discussion.updated", NULL, "A discussion record was corrected."},
	{"completion.submitted", NULL, "The PD delivered the missing items: back to the initial discussion."},
	/* documents */
	{"document.added", NULL, "A document was uploaded to the request."},
	/* step 7 */
	{"berita_acara.drafted", NULL, "A Berita Acara was drafted."},
	{"berita_acara.updated", NULL, "A draft Berita Acara was edited."},
	{"berita_acara.sent", NULL, "The Berita Acara was sent for signatures (its content is fixed)."},
	{"berita_acara.signed", NULL, "One party signed the Berita Acara."},
	{"berita_acara.fully_signed", NULL, "The Berita Acara has every signature: step 7 done."},
	{"surat_tugas.issued", NULL, "The Kepala Dinas issued the Surat Tugas."},
	/* the clock */
	{"sla.warning", NULL, "The running step crossed its warning threshold."},
	{"sla.breach", NULL, "The running step passed its due time."},
	{"calendar.recomputed", "calendar", "A holiday change moved the deadlines of the request's running step."},
	/* not about a request: subject is the record's id */
	{"delegation.created", "delegation", "An acting official (Plh or Plt) was appointed for a position."},
	{"delegation.revoked", "delegation", "A delegation was revoked (its delegate no longer acts for the position)."},
	{"webhook.disabled", "deliverer", "The deliverer disabled a subscription (its endpoint answered 410, or failed everything for ALURD_WEBHOOK_DISABLE_AFTER)."},
};

/* Audit action -> event type, for every request-scoped audit row. */
static const struct ev_action actions[] = {
	{"request.create", "request.created"},
	{"request.update", "request.updated"},
	{"request.submit", "request.submitted"},
	{"request.register", "request.registered"},
	{"request.dispose", "request.disposed"},
	{"request.reject", "request.rejected"},
	{"request.withdraw", "request.withdrawn"},
	{"request.derive", "disposition.created"},
	{"disposition.read", "disposition.read"},
	{"request.undo_dispose", "disposition.withdrawn"},
	{"request.undo_derive", "disposition.withdrawn"},
	{"request.record_awal", "discussion.recorded"},
	{"request.record_awal_incomplete", "discussion.recorded"},
	{"request.record_lanjutan", "discussion.recorded"},
	{"request.record_final", "discussion.recorded"},
	{"discussion.update", "discussion.updated"},
	{"request.pd_complete", "completion.submitted"},
	{"document.upload", "document.added"},
	{"document.store", "document.added"}, /* the signed Berita Acara's PDF, stored by alurd */
	{"berita_acara.create", "berita_acara.drafted"},
	{"berita_acara.update", "berita_acara.updated"},
	{"berita_acara.send", "berita_acara.sent"},
	{"berita_acara.sign", "berita_acara.signed"},
	{"request.sign_ba_complete", "berita_acara.fully_signed"},
	{"request.issue_st", "surat_tugas.issued"},
	{"surat_tugas.issue", "surat_tugas.issued"},
	{"sla.warning", "sla.warning"}, /* the timer's rows */
	{"sla.breach", "sla.breach"},
};

#define NTYPES (sizeof catalogue / sizeof catalogue[0])
#define NACTIONS (sizeof actions / sizeof actions[0])

const struct ev_type *ev_catalogue(size_t *n)
{
	*n = NTYPES;
	return catalogue;
}

const struct ev_action *ev_actions(size_t *n)
{
	*n = NACTIONS;
	return actions;
}

const struct ev_type *ev_find(const char *type)
{
	for (size_t i = 0; type && i < NTYPES; i++)
		if (strcmp(catalogue[i].type, type) == 0)
			return &catalogue[i];
	return NULL;
}

const char *ev_type_of_action(const char *action)
{
	for (size_t i = 0; action && i < NACTIONS; i++)
		if (strcmp(actions[i].action, action) == 0)
			return actions[i].type;
	return NULL;
}
