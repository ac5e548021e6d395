/* steps47.h — what the suites of SOP steps 4-7 share: the people of the
 * procedure, set up once per suite, and the calls that drive a request from
 * intake to any point between the initial discussion and the signed Berita
 * Acara.
 *
 * s47_up() gives a suite its own database and daemon, makes the first
 * administrator with `alurd admin create` (password on standard input), then
 * through the API two agencies (A, B) and one account per part the SOP names:
 * a pd user and a pd signatory (with a NIP) in each agency, the sekretariat,
 * the kepala dinas (with a NIP), the kabid, the kasi and two tim_spbe. Each
 * user logs in once per suite (an Argon2id verification costs ~100 ms), on a
 * thread of its own.
 *
 * Everything here asserts (Check) rather than returning errors, except where
 * a comment says a function may run on a thread of its own.
 */
#ifndef ALURD_TESTS_API_STEPS47_H
#define ALURD_TESTS_API_STEPS47_H

#include <check.h>
#include <stdbool.h>

#include "tests/support/fixture.h"
#include "tests/support/harness.h"

enum who {
	NOBODY = -1,
	ADMIN = 0,
	PD_A,    /* pd of agency A */
	SIGN_A,  /* pd of agency A, the agency's signatory */
	PD_B,    /* pd of agency B */
	SIGN_B,  /* pd of agency B, its signatory */
	SEKRETARIAT,
	KADIS,   /* kepala_dinas */
	KABID,   /* kabid_iai */
	KASI,    /* kasi_ai */
	TIM1,    /* tim_spbe */
	TIM2,    /* tim_spbe */
	WHO_COUNT
};

struct actor {
	const char *username;
	const char *role;
	const char *full_name;
	const char *nip; /* NULL: none */
	int agency;      /* -1 none, 0 = A, 1 = B */
	bool signatory;
	char id[40];
	char token[2048];
};

extern struct actor P[WHO_COUNT];
extern char AGENCY[2][40];
extern const char *const AGENCY_NAME[2];
extern struct ts_daemon *g_d;
extern char g_db[512];

/* ---- suite plumbing ------------------------------------------------------- */

void s47_up(const char *suite);
/* The same with more daemon environment ("NAME=value", NULL-terminated, at
 * most 13). */
void s47_up_env(const char *suite, const char *const *extra_env);
void s47_down(void);
void s47_each_after(void);
/* A test case with the suite's set-up as its unchecked fixture. */
TCase *s47_tcase(const char *name, void (*setup)(void));
/* The last test: /healthz still answers, SIGTERM gives exit 0, drained. */
void s47_add_clean_stop(TCase *tc);
/* Creates one more user (through the admin) and logs them in; fills id and
 * token. For people only one test needs. */
void s47_add_user(struct actor *a);
/* Runs the suite (CK_NOFORK) and folds in daemons that exited abnormally. */
int s47_main(Suite *s);

/* ---- formatting, HTTP, JSON ---------------------------------------------- */

/* printf into a thread-local ring of buffers (fine for a few dozen values
 * alive at once). */
const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* A call as who (NOBODY: no token); a body is sent as application/json.
 * Thread-safe. */
struct ts_resp *call(enum who who, const char *method, const char *path, const char *body);
/* The same with extra headers ("Name: value"), NULL-terminated. */
struct ts_resp *callh(enum who who, const char *method, const char *path, const char *body, ...);
/* A call as an actor outside P (see s47_add_user). */
struct ts_resp *call_as(const struct actor *a, const char *method, const char *path, const char *body);
/* The same with extra headers ("Name: value"), NULL-terminated. */
struct ts_resp *call_ash(const struct actor *a, const char *method, const char *path, const char *body, ...);
/* Uploads bytes as a document of the request. */
struct ts_resp *upload(enum who who, const char *request_id, const char *type, const char *filename,
		       const char *content_type, const void *bytes, size_t len);
/* Uploads what SOP step 1 needs before a submission (a surat_permohonan and
 * a proses_bisnis PDF) as who; asserts 201 for each. */
void attach_submission_documents(enum who who, const char *request_id);

const char *jstr(const json_t *obj, const char *key); /* "" when absent */
long long jint(const json_t *obj, const char *key);   /* -1 when absent */
/* Takes v (a reference the caller owns) and frees it after the test, so a
 * failed assertion leaks nothing. Returns v. */
json_t *keep(json_t *v);
/* Compact JSON text of v in a fmt() buffer (nothing to free, so it is safe in
 * an assertion's message). */
const char *jdump(const json_t *v);
#define rstr(r, key) jstr((r)->json, (key))
#define rint(r, key) jint((r)->json, (key))

#define assert_status(r, st) tf_assert_status_at(__FILE__, __LINE__, (r), (st))
#define assert_problem(r, st, code) assert_problem_at(__FILE__, __LINE__, (r), (st), (code))
void assert_problem_at(const char *file, int line, const struct ts_resp *r, long status, const char *code);
/* The problem's errors[] entry for field, or NULL. */
json_t *field_error(const struct ts_resp *r, const char *field);
/* The code of that entry, "" when there is none. */
const char *field_error_code(const struct ts_resp *r, const char *field);
/* True when some errors[] entry's field starts with prefix. */
bool field_error_under(const struct ts_resp *r, const char *prefix);
/* The fields of errors[], comma-separated, for messages. */
const char *error_fields(const struct ts_resp *r);

/* True when s matches the POSIX extended regular expression re. */
bool matches(const char *s, const char *re);
/* The current year in Asia/Makassar (UTC+8, no daylight saving). */
int wita_year(void);
/* Lowercase hex SHA-256 of n bytes. */
const char *sha256_hex(const void *bytes, size_t n);
/* The SHA-256 of a Berita Acara's canonical content, recomputed from its JSON:
 * {date, milestones, number, parties, request_id, scope} dumped compact with
 * sorted keys. */
const char *ba_content_sha256(const json_t *ba);

/* ---- the procedure ---------------------------------------------------------- */

/* A small valid PDF (header, one empty page, trailer). */
extern const char MINI_PDF[];
extern const size_t MINI_PDF_LEN;

/* The six-item checklist: every item complete, except `incomplete` (an item
 * key, or NULL) which is incomplete with a note, and `not_applicable` (or
 * NULL). JSON object text. */
const char *checklist(const char *incomplete, const char *not_applicable);
/* The agreed scope and milestones the final discussions record. */
#define FINAL_SCOPE                                                                                          \
	"{\"summary\":\"Sistem informasi rujukan pasien antar fasilitas kesehatan\","                         \
	"\"features\":[\"Registrasi fasilitas kesehatan\",\"Rujukan daring\",\"Laporan bulanan\"]}"
#define FINAL_MILESTONES                                                                                     \
	"[{\"name\":\"Analisis kebutuhan\",\"start\":\"2025-04-01\",\"end\":\"2025-04-30\"},"                 \
	"{\"name\":\"Pengembangan modul inti\",\"start\":\"2025-05-01\",\"end\":\"2025-07-31\"},"             \
	"{\"name\":\"Uji coba dan serah terima\",\"start\":\"2025-08-01\",\"end\":\"2025-08-29\"}]"

enum stage {
	AT_AWAL,         /* in_discussion, phase awal (step 4) */
	AT_AWAITING_PD,  /* awaiting_pd_completion after an incomplete awal */
	AT_LANJUTAN,     /* in_discussion, lanjutan (step 5) */
	AT_FINAL,        /* in_discussion, final (step 6) */
	AT_AGREED,       /* agreed (step 7) */
	AT_BA_DRAFT,     /* agreed, with a draft Berita Acara */
	AT_BA_SENT,      /* agreed, the Berita Acara awaiting signatures */
	AT_BA_SIGNED,    /* completed, the Berita Acara signed by both */
};

struct flow {
	char request[40];
	char awal[40];    /* the (last) initial discussion */
	char final[40];   /* the final discussion */
	char ba[40];      /* the Berita Acara */
	char sha256[65];  /* its content hash once sent */
};

/* A new request of pd's agency, driven by the real roles to stage. */
struct flow drive(enum who pd, const char *title, enum stage stage);
/* The request's status as the kasi reads it: "in_discussion/<phase>" while
 * in discussion, else the status. */
const char *status_of(const char *request_id);
/* POST a discussion record; returns the response. */
struct ts_resp *record(enum who who, const char *request_id, const char *body);
/* The body of a valid discussion of phase (awal: complete checklist; final:
 * the scope and milestones above). */
const char *discussion_body(const char *phase);

/* The audit trail of a request (every page, oldest first), as a JSON array
 * of action names, freed after the test (keep). */
json_t *audit_actions(const char *request_id);
/* How many times action occurs in the list. */
int count_action(const json_t *actions, const char *action);

#endif
