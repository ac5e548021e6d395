/* cli.h — administrative sub-commands that talk to the database directly. */
#ifndef ALURD_SERVER_CLI_H
#define ALURD_SERVER_CLI_H

#include <stdbool.h>

#include "server/config.h"

/* `alurd admin create USERNAME`: the password comes from standard input
 * (not echoed on a terminal). Creates an admin account; an existing name is
 * left unchanged and reported. Returns the process exit status. */
int cli_admin(const struct config *cfg, int argc, char **argv);

/* `alurd seed-demo`: two agencies and one account per role, with random
 * passwords printed once; existing accounts are left as they are. */
int cli_seed_demo(const struct config *cfg);

/* `alurd audit verify|keygen|export`: verify an export offline, make a
 * signing key pair, write the export of this database (needs cfg; verify
 * and keygen accept cfg NULL). Returns the exit status: 0 verified, 1 a
 * finding or failure, 2 bad usage or unreadable input. */
int cli_audit(const struct config *cfg, int argc, char **argv);
/* `alurd evidence verify [--key FILE] PACK`: checks an evidence pack. */
int cli_evidence(int argc, char **argv);
/* True for the sub-commands that need no configuration (argv as main's). */
bool cli_is_offline(int argc, char **argv);

#endif
