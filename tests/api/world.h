/* world.h — the people and machines of the SOP, set up once per suite, and
 * the small vocabulary the request, disposition and document suites share.
 *
 * world_up() gives a suite its own database and daemon, creates the first
 * administrator with `alurd admin create` (password on standard input), then
 * through the API: two agencies (A and B), one user of every role (two
 * kepala_dinas and two kabid_iai for the races and the "not yours" cases; pd
 * users in each agency and a pd signatory in A) and two e-office clients
 * (bound to A, and for all agencies). Every user logs in exactly once per
 * suite: a login costs an Argon2id verification (~100 ms), so creation and
 * login run on one thread per user.
 *
 * Everything here asserts (Check) rather than returns errors: a suite whose
 * world could not be built has nothing to test.
 */
#ifndef ALURD_TESTS_API_WORLD_H
#define ALURD_TESTS_API_WORLD_H

#include <check.h>
#include <stdbool.h>

#include "tests/support/fixture.h"
#include "tests/support/harness.h"

/* Who acts. Each has an id (user or client UUID) and an access token. */
enum who {
	NOBODY = -1,
	ADMIN = 0,
	KADIS,       /* kepala_dinas */
	KADIS2,      /* a second kepala_dinas */
	SEKRETARIAT,
	KABID,       /* kabid_iai */
	KABID2,      /* a second kabid_iai */
	KASI,        /* kasi_ai */
	TIM,         /* tim_spbe */
	PD_A,        /* pd of agency A */
	PD_A_SIGN,   /* pd of agency A, signatory */
	PD_B,        /* pd of agency B */
	AUDITOR,
	CLIENT_A,    /* e-office client bound to agency A */
	CLIENT_ALL,  /* e-office client for every agency */
	WHO_COUNT
};

struct actor {
	const char *username; /* users only */
	const char *role;
	int agency; /* -1 none, 0 = A, 1 = B */
	bool signatory;
	char id[40];
	char token[2048];
};

extern struct actor W[WHO_COUNT];
extern char AGENCY_A[40], AGENCY_B[40];
extern struct ts_daemon *g_d;
extern char g_db[512];

/* The suite's database, daemon (extra_env as for ts_daemon_start) and
 * people. For tcase_add_unchecked_fixture set-ups. */
void world_up(const char *suite, const char *const *extra_env);
/* Stops the daemon (its exit status counts), drops the database. */
void world_down(void);
/* A checked fixture's teardown: ts_gc(). */
void world_each_after(void);

/* One user more (created by the admin, logged in); fills a. */
void world_add_user(struct actor *a);

/* ---- formatting and HTTP --------------------------------------------------- */

/* printf into one of a ring of thread-local buffers (valid for the next 255
 * calls on the same thread). */
const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* One exchange as `who` (NOBODY: no Authorization). body is JSON (sent as
 * application/json) or NULL. The variadic part is extra "Name: value" headers,
 * ended by NULL. Recorded for the contract check. */
struct ts_resp *callh(enum who who, const char *method, const char *path, const char *body, ...)
	__attribute__((sentinel));
#define call(who, method, path, body) callh((who), (method), (path), (body), (const char *)NULL)

/* Members of a JSON answer ("" / -1 when absent or of another type). */
const char *jstr(const struct ts_resp *r, const char *key);
long long jint(const struct ts_resp *r, const char *key);

/* ---- assertions ---------------------------------------------------------- */

#define assert_status(r, st) tf_assert_status_at(__FILE__, __LINE__, (r), (st))

/* A problem answer: status, application/problem+json, the RFC 9457 members,
 * the code (NULL: any), and request_id equal to the X-Request-Id header. */
#define assert_problem(r, st, code) tf_assert_problem_at(__FILE__, __LINE__, (r), (st), (code))

/* True when the problem lists an error for field. */
#define has_field_error(r, field) (tf_field_error((r), (field)) != NULL)
/* The code of the field error for field, or "". */
#define field_error_code(r, field) tf_field_error_code((r), (field))

/* ---- the procedure, one step at a time (each asserts success) ------------ */

struct uid {
	char s[40];
};

/* A draft by who (a pd user or an agency-bound client), titled title. */
struct uid new_draft(enum who who, const char *title);
/* The same with the request body given whole. */
struct uid new_request_json(enum who who, const char *json);
/* Uploads a small PDF of document type `type` to the request as who; the
 * variadic part is extra "Name: value" headers, ended by NULL. */
struct ts_resp *upload_pdf(enum who who, const char *request_id, const char *type, ...) __attribute__((sentinel));
/* Attaches what SOP step 1 needs before a submission: a surat_permohonan
 * and a proses_bisnis document (asserts 201 for each). */
void attach_submission_documents(enum who who, const char *request_id);
/* Attaches the two documents, then submits (asserts 200, submitted). */
void submit(enum who who, const char *request_id);
/* Registers as the sekretariat; returns the agenda number. */
struct uid register_request(const char *request_id);
/* KADIS disposes to KABID; returns the disposition id. */
struct uid dispose(const char *request_id);
/* KABID marks the disposition read. */
void mark_read(enum who who, const char *disposition_id);
/* KABID derives parent to KASI; returns the derived disposition id. */
struct uid derive(const char *request_id, const char *parent_id);

enum stage { AT_DRAFT, AT_SUBMITTED, AT_AWAITING_DISPOSITION, AT_DISPOSED, AT_IN_DISCUSSION };
/* A new request of pd (PD_A or PD_B) brought to stage. *disposition gets the
 * disposition (and *derived the derived one) when the stage has them; both
 * may be NULL. */
struct uid request_at(enum who pd, enum stage stage, const char *title, struct uid *disposition,
		      struct uid *derived);

/* The request's status and version, read as ADMIN. */
const char *status_of(const char *request_id);

/* ---- suites -------------------------------------------------------------- */

/* The last test of every suite: the daemon still answers, stops cleanly on
 * SIGTERM with exit 0. */
TCase *world_tcase(const char *name, void (*setup)(void));
void world_add_clean_stop(TCase *tc);

/* Runs the Check suites of a test program: `prog SUITE` runs one, no argument
 * runs all. Returns the exit status for main. */
int world_main(int argc, char **argv, Suite *(*const *suites)(void));

#endif
