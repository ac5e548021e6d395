/* events.h — the event catalogue: every type of event alurd writes to its
 * outbox (the `events` table), as one table of data.
 *
 * An event says that something happened to an SOP request. Most events
 * answer one audit row of the request one to one (`audit_action` names it:
 * the audit row "request.dispose" is the event "request.disposed"); a few are
 * consequences the lifecycle derives from a transition (a step started, the
 * clock paused or resumed, the request completed), from the timer (a warning,
 * a breach) or from a calendar change, and have no audit row of their own
 * (`audit_action` NULL; `derived` says by what). The openapi.yaml `webhooks`
 * section describes exactly these types, and the tests check both against
 * this table. Adding a type is one row here, its emission, and its schema in
 * openapi.yaml. Pure data, libc only.
 */
#ifndef ALURD_CORE_EVENTS_H
#define ALURD_CORE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

struct ev_type {
	const char *type;    /* "<record>.<past participle>", e.g. "request.disposed" */
	const char *derived; /* NULL: it answers audit rows one to one (ev_type_of_action);
	                        else what emits it ("transition", "timer", "calendar") */
	const char *summary; /* one sentence, for the documentation */
};

/* The whole catalogue (static); *n gets its row count. Types are unique. */
const struct ev_type *ev_catalogue(size_t *n);

/* The row of type, or NULL when there is none. Borrowed, static. */
const struct ev_type *ev_find(const char *type);

/* The event type that answers the audit row `action`, or NULL when that
 * action has no event (accounts, sign-ins, the SLA policy ...). Static. */
const char *ev_type_of_action(const char *action);

/* One row of the audit action -> event type table; *n gets its row count. */
struct ev_action {
	const char *action, *type;
};
const struct ev_action *ev_actions(size_t *n);

#endif
