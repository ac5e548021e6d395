/* tlog.h — the audit log's background thread and its signing key.
 *
 * Every ALURD_AUDIT_SEQUENCE_INTERVAL seconds the thread logs the queued
 * audit rows (api_tlog_sequence: one transaction per batch, under the
 * sequencer's advisory lock, so several instances never interleave), and
 * every ALURD_AUDIT_CHECKPOINT_INTERVAL seconds it signs a checkpoint when
 * the tree has grown. The work stays off the transition path: a transition
 * only queues its audit row's id.
 */
#ifndef ALURD_SERVER_TLOG_H
#define ALURD_SERVER_TLOG_H

#include <stdbool.h>

#include "core/err.h"
#include "server/config.h"

/* Reads ALURD_AUDIT_KEY (when set) and hands the key and origin to api/.
 * False with e filled when the file cannot be read or holds no signer key. */
bool tlog_configure(const struct config *cfg, struct err *e);
void tlog_start(const struct config *cfg);
/* Wakes the thread and joins it. */
void tlog_stop(void);
/* Wipes the private key. */
void tlog_cleanup(void);

#endif
