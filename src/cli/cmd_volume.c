/*
 * declass volume ID [--json | --format cite|bibtex|ris]: a volume's header
 * and table of contents, or its citation as a book.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "banned.h"

static const char volume_usage[] =
    "usage: declass [--db PATH] volume ID [--json | --format cite|bibtex|ris] [--as USER]\n"
    "\n"
    "A volume (a collection: \"frus1917-72PubDip\") as the reader may read it:\n"
    "the title, editors and publication of a published volume, then its table\n"
    "of contents in document order: front matter, the compilations and chapters\n"
    "with their documents (id, date, number and title), back matter.  Only the\n"
    "documents the reader may open are listed, with their titles and dates as the\n"
    "reader reads them.  Exit 1 when the reader may open no document of ID.\n"
    "  --format cite|bibtex|ris   the volume (or book) as a whole cited: the\n"
    "           Chicago line, a BibTeX @book entry, a RIS BOOK record\n"
    "  --json   {\"id\", \"title\", \"series\", \"subseries\", \"volume_title\",\n"
    "           \"volume_number\", \"editors\": [{\"name\", \"role\"}], \"publisher\",\n"
    "           \"pub_place\", \"pub_date\", \"documents\": N, \"contents\": [{\"kind\",\n"
    "           \"part\", \"level\", \"xml_id\", \"type\", \"head\", \"id\", \"number\",\n"
    "           \"title\", \"date\"}]}\n";

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

static void volume_text(const dc_volume *v)
{
    printf("%s\n", v->title ? v->title : v->id);
    printf("%-11s%s\n", "id", v->id);
    if (v->editors.n) {
        printf("%-11s", v->editors.n > 1 ? "editors" : "editor");
        for (size_t i = 0; i < v->editors.n; i++) {
            const char *role = i < v->editor_roles.n ? v->editor_roles.v[i] : "";
            printf("%s%s", i ? ", " : "", v->editors.v[i]);
            if (*role) printf(" (%s)", role);
        }
        printf("\n");
    }
    if (v->publisher || v->pub_date)
        printf("%-11s%s%s%s%s%s\n", "published", v->pub_place ? v->pub_place : "",
               v->pub_place ? ": " : "", or_dash(v->publisher), v->pub_date ? ", " : "",
               v->pub_date ? v->pub_date : "");
    printf("%-11s%ld\n", "documents", v->n_documents);
    const char *part = NULL;
    for (size_t i = 0; i < v->n_entries; i++) {
        const dc_volume_entry *e = &v->entries[i];
        if (!part || strcmp(part, e->part) != 0) {
            part = e->part;
            printf("\n%s\n", !strcmp(part, "front")  ? "Front matter"
                             : !strcmp(part, "back") ? "Back matter"
                                                     : "Contents");
        }
        int indent = 2 + 2 * e->level;
        if (!strcmp(e->kind, "division")) {
            printf("%*s%s\n", indent, "", e->head ? e->head : e->xml_id);
            continue;
        }
        printf("%*s%-28s %-10s ", indent, "", e->id, or_dash(e->date));
        if (e->number) printf("%s. ", e->number);
        printf("%s\n", e->title ? e->title : "Untitled document");
    }
}

int cmd_volume(const cli_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    const char *id = NULL, *format = NULL;
    /* --format FMT is taken out here; the rest is one id and --json */
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) return EXIT_INTERNAL;
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            format = argv[++i];
            continue;
        }
        if (strncmp(argv[i], "--format=", 9) == 0) {
            format = argv[i] + 9;
            continue;
        }
        args[n++] = argv[i];
    }
    int done = cli_one_arg(n, args, volume_usage, "volume id", &id, &json);
    free(args); /* id points into argv */
    if (done < 0 && format && strcmp(format, "cite") != 0 && strcmp(format, "bibtex") != 0 &&
        strcmp(format, "ris") != 0) {
        cli_error("volume: unknown format '%s' (use cite, bibtex or ris)", format);
        done = EXIT_USAGE;
    } else if (done < 0 && format && json) {
        cli_error("volume: --format and --json exclude each other");
        done = EXIT_USAGE;
    }
    if (done >= 0) return done;
    int code = 0;
    dc_db *db = cli_open(ctx, 0, &code);
    if (!db) return code;
    dc_volume *v = NULL;
    dc_rc rc = dc_db_volume(db, id, &v);
    if (rc) {
        cli_error("volume: %s", rc == DC_NOMEM ? "out of memory" : dc_db_errmsg(db));
        dc_db_close(db);
        return rc == DC_MISUSE ? EXIT_USAGE : cli_exit_code(rc);
    }
    int status = EXIT_OK;
    if (format) {
        char *s = NULL;
        rc = dc_volume_cite(v, format, &s);
        if (rc) {
            cli_error("volume: %s", dc_strerror(rc));
            status = EXIT_INTERNAL;
        } else {
            fputs(s, stdout);
        }
        dc_free(s);
    } else if (json) {
        char *s = NULL;
        rc = dc_volume_to_json(v, 1, &s);
        if (rc) {
            cli_error("volume: %s", dc_strerror(rc));
            status = EXIT_INTERNAL;
        } else {
            printf("%s\n", s);
        }
        dc_free(s);
    } else {
        volume_text(v);
    }
    dc_volume_free(v);
    dc_db_close(db);
    return status;
}
