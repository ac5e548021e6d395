/* routes.c — the list of every resource's route table. Adding a resource
 * file means adding its table here (and its operations to openapi.yaml). */
#include "api/api.h"

extern const struct route api_ops_routes[];
extern const struct route api_auth_routes[];
extern const struct route api_users_routes[];
extern const struct route api_agencies_routes[];
extern const struct route api_clients_routes[];
extern const struct route api_requests_routes[];
extern const struct route api_dispositions_routes[];
extern const struct route api_documents_routes[];
extern const struct route api_discussions_routes[];
extern const struct route api_agreements_routes[];
extern const struct route api_sla_routes[];
extern const struct route api_events_routes[];
extern const struct route api_webhooks_routes[];
extern const struct route api_audit_routes[];
extern const struct route api_tlog_routes[];
extern const struct route api_evidence_routes[];
extern const struct route api_report_routes[];
extern const struct route api_directory_routes[];
extern const struct route api_queue_routes[];
extern const struct route api_calendar_routes[];
extern const struct route api_delegations_routes[];

struct api_services api_services;

const struct route *const api_route_tables[] = {
	api_ops_routes,
	api_auth_routes,
	api_users_routes,
	api_agencies_routes,
	api_clients_routes,
	api_requests_routes,
	api_dispositions_routes,
	api_documents_routes,
	api_discussions_routes,
	api_agreements_routes,
	api_sla_routes,
	api_events_routes,
	api_webhooks_routes,
	api_audit_routes,
	api_tlog_routes,
	api_evidence_routes,
	api_report_routes,
	api_directory_routes,
	api_queue_routes,
	api_calendar_routes,
	api_delegations_routes,
	NULL,
};
