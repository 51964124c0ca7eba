/*
 * declass serve, in the declass program: runs declass-serve, the same
 * command line with the HTTP server (src/cli/serve.c) linked in.  Only the
 * server needs libmicrohttpd and the TLS libraries it brings (GnuTLS,
 * p11-kit, nettle: a dozen shared libraries), so every other command
 * starts without loading them.
 *
 * declass-serve is looked for next to this program (a build tree), then in
 * ../libexec/declass/ (an installed tree, as Git keeps its helpers).  It
 * gets the database already resolved (--db), --as if one was given (it
 * refuses it, as serve always did), "serve" and the arguments unchanged.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "banned.h"

#define SERVE_PROGRAM "declass-serve"

/* The path of declass-serve into out, or 0 if it is nowhere to be found. */
static int find_server(char *out, size_t cap)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return 0;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash) return 0;
    *slash = '\0';
    static const char *const where[] = {"%s/" SERVE_PROGRAM,
                                        "%s/../libexec/declass/" SERVE_PROGRAM};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        int k = snprintf(out, cap, where[i], self);
        if (k > 0 && (size_t)k < cap && access(out, X_OK) == 0) return 1;
    }
    return 0;
}

int cmd_serve(const cli_ctx *ctx, int argc, char **argv)
{
    char path[PATH_MAX + 64];
    if (!find_server(path, sizeof path)) {
        cli_error("serve: cannot find %s next to declass or in ../libexec/declass/",
                  SERVE_PROGRAM);
        return cli_exit_code(DC_IO);
    }
    char **args = calloc((size_t)argc + 8, sizeof *args);
    if (!args) {
        cli_error("serve: out of memory");
        return cli_exit_code(DC_NOMEM);
    }
    size_t k = 0;
    args[k++] = path;
    args[k++] = "--db";
    args[k++] = (char *)ctx->db_path;
    if (ctx->as) {
        args[k++] = "--as";
        args[k++] = (char *)ctx->as;
    }
    for (int i = 0; i < argc; i++) args[k++] = argv[i]; /* argv[0] is "serve" */
    args[k] = NULL;
    fflush(NULL);
    execv(path, args);
    int e = errno;
    free(args);
    cli_error("serve: cannot run %s: %s", path, strerror(e));
    return cli_exit_code(DC_IO);
}
