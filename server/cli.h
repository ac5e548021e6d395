/* cli.h — administrative sub-commands that talk to the database directly. */
#ifndef ALURD_SERVER_CLI_H
#define ALURD_SERVER_CLI_H

#include "server/config.h"

/* `alurd admin create USERNAME`: the password comes from standard input
 * (not echoed on a terminal). Creates an admin account; an existing name is
 * left unchanged and reported. Returns the process exit status. */
int cli_admin(const struct config *cfg, int argc, char **argv);

/* `alurd seed-demo`: two agencies and one account per role, with random
 * passwords printed once; existing accounts are left as they are. */
int cli_seed_demo(const struct config *cfg);

#endif
