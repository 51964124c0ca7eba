/*
 * The facade: Review and release: withholding and marking portions, publishing.
 */
#include "facade/facade_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "access/access.h"
#include "analysis/analysis.h"
#include "index/index.h"
#include "ingest/ingest.h"
#include "query/query.h"
#include "refs/refs.h"
#include "render/render.h"
#include "store/store.h"
#include "model/model_int.h"
#include "util/util_int.h"
#include "util/banned.h"

/* ---- review and release --------------------------------------------------- */

/* Today's date (UTC) as YYYY-MM-DD. */
static void today_utc(char out[11])
{
    if (!dc_utc_now(out, 11, 0)) snprintf(out, 11, "1970-01-01");
}

static int is_released(const dc_doc *d)
{
    return d->release_status && strcmp(d->release_status, "released") == 0;
}

/*
 * Loads the current version of id for a review action by a reviewer:
 * the document must be readable by them (else it is "no document", as
 * for a missing one) and, when portion is given, the portion must be one
 * they can read (else "no portion").  *pi is the portion's index.
 */
static dc_rc review_load(dc_db *db, const char *action, const char *id, const char *portion,
                         dc_doc **out, size_t *pi)
{
    *out = NULL;
    dc_rc rc = dc_db_require_role(db, DC_ROLE_REVIEWER | DC_ROLE_ADMIN, action, id);
    if (rc) return rc;
    if (!id || !*id || strlen(id) > DC_MAX_ID) return dc_db_no_document(db, id);
    dc_doc *doc = NULL;
    rc = dc_store_get(db->st, id, 0, &doc);
    if (rc == DC_NOTFOUND) {
        dc_db_audit_add(db, "refused", id, action);
        return dc_db_no_document(db, id);
    }
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    dc_access_reader r = dc_db_reader(db);
    if (!dc_access_doc_readable(&r, doc->release_status, doc->classification)) {
        dc_doc_free(doc);
        dc_db_audit_add(db, "refused", id, action);
        return dc_db_no_document(db, id);
    }
    if (portion) {
        size_t i = 0;
        while (i < doc->n_portions && strcmp(doc->portions[i].id, portion) != 0) i++;
        const dc_portion *p = i < doc->n_portions ? &doc->portions[i] : NULL;
        int readable = p && (dc_access_portion_cleared(&r, doc, p) ||
                             (is_released(doc) && !p->withheld));
        if (!readable) {
            dc_doc_free(doc);
            dc_db_audit_add(db, "refused", id, action);
            return dc_db_fail(db, DC_NOTFOUND, "no portion '%s' in document '%s'", portion, id);
        }
        *pi = i;
    }
    *out = doc;
    return DC_OK;
}

/* Stores doc as a new version made by action, audits it, and brings the
 * index up to date.  *changed tells whether a version was added. */
static dc_rc review_store(dc_db *db, dc_doc *doc, const char *action, const char *target,
                          const char *detail, int *version)
{
    char source[160];
    snprintf(source, sizeof source, "%s by %s", action, dc_db_user(db));
    dc_put_result res = 0;
    dc_rc rc = dc_store_begin(db->st);
    if (!rc) rc = dc_store_put(db->st, doc, source, &res, version);
    if (!rc) rc = dc_store_audit(db->st, db->user, action, target, detail);
    if (!rc) rc = dc_store_commit(db->st);
    if (rc) {
        dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
        dc_store_rollback(db->st);
        return rc;
    }
    return dc_db_index(db);
}

dc_rc dc_db_withhold(dc_db *db, const char *id, const char *portion, const char *reason,
                     int *version)
{
    if (!dc_access_reason_valid(reason))
        return dc_db_fail(db, DC_MISUSE, "bad exemption code '%s' (e.g. 25X1, 50X1-HUM, (b)(1), "
                       "(b)(3))", reason ? reason : "");
    dc_doc *doc = NULL;
    size_t i = 0;
    dc_rc rc = review_load(db, "withhold", id, portion ? portion : "", &doc, &i);
    if (rc) return rc;
    dc_portion *p = &doc->portions[i];
    p->withheld = 1;
    rc = dc_str_set(&p->withheld_reason, reason);
    /* Withholding more of a released document is itself a new release. */
    char today[11];
    today_utc(today);
    if (!rc && is_released(doc)) rc = dc_str_set(&doc->release_date, today);
    char target[DC_MAX_ID + 64];
    snprintf(target, sizeof target, "%s#%s", id, portion);
    if (!rc) rc = review_store(db, doc, "withhold", target, reason, version);
    else dc_db_fail(db, rc, "out of memory");
    dc_doc_free(doc);
    return rc;
}

/* 1 if doc's portions name at most DC_ACCESS_MAX_COMPS distinct
 * compartments: the most dc_access_each_view enumerates views for. */
static int compartments_fit(const dc_doc *doc)
{
    const char *seen[DC_ACCESS_MAX_COMPS];
    size_t n = 0;
    for (size_t i = 0; i < doc->n_portions; i++) {
        const dc_strv *c = &doc->portions[i].compartments;
        for (size_t k = 0; k < c->n; k++) {
            size_t j = 0;
            while (j < n && strcmp(seen[j], c->v[k]) != 0) j++;
            if (j < n) continue;
            if (n == DC_ACCESS_MAX_COMPS) return 0;
            seen[n++] = c->v[k];
        }
    }
    return 1;
}

dc_rc dc_db_mark(dc_db *db, const char *id, const char *portion, const char *level,
                 const char *const *compartments, size_t n_compartments, int *version)
{
    int lv = level ? dc_level_parse(level) : -1;
    if (lv < 0)
        return dc_db_fail(db, DC_MISUSE, "unknown classification '%s' (use UNCLASSIFIED, "
                       "CONFIDENTIAL, SECRET or TOP SECRET)", level ? level : "");
    for (size_t k = 0; k < n_compartments; k++)
        if (!dc_access_compartment_ok(compartments[k]))
            return dc_db_fail(db, DC_MISUSE, "bad compartment '%s' (upper-case letters, digits, "
                           "'-', '_')", compartments[k]);
    dc_doc *doc = NULL;
    size_t i = 0;
    dc_rc rc = review_load(db, "mark", id, portion ? portion : "", &doc, &i);
    if (rc) return rc;
    dc_portion *p = &doc->portions[i];
    rc = dc_str_set(&p->classification, dc_level_name(lv));
    dc_strv_release(&p->compartments);
    for (size_t k = 0; !rc && k < n_compartments; k++)
        rc = dc_strv_add_unique(&p->compartments, compartments[k]);
    if (!rc && !compartments_fit(doc)) {
        dc_doc_free(doc);
        return dc_db_fail(db, DC_LIMIT, "%s would carry more than %d distinct "
                          "compartments (each distinct view of a document is indexed)",
                          id, DC_ACCESS_MAX_COMPS);
    }
    char today[11];
    today_utc(today);
    if (!rc && is_released(doc)) rc = dc_str_set(&doc->release_date, today);
    char target[DC_MAX_ID + 64], detail[256];
    snprintf(target, sizeof target, "%s#%s", id, portion);
    dc_buf d;
    dc_buf_init(&d, sizeof detail - 1);
    dc_buf_puts(&d, dc_level_name(lv));
    if (n_compartments) dc_buf_puts(&d, " ");
    dc_buf_join(&d, compartments, n_compartments, ',');
    snprintf(detail, sizeof detail, "%s", d.p ? d.p : "");
    dc_buf_release(&d);
    if (!rc) rc = review_store(db, doc, "mark", target, detail, version);
    else dc_db_fail(db, rc, "out of memory");
    dc_doc_free(doc);
    return rc;
}

/*
 * Publishes the current version: release status "released", today's
 * date.  The reviewer must be cleared for every portion that will become
 * public (they cannot release what they may not read); withheld portions
 * stay withheld and the public view replaces them.
 */
dc_rc dc_db_release(dc_db *db, const char *id, int *version)
{
    dc_doc *doc = NULL;
    dc_rc rc = review_load(db, "release", id, NULL, &doc, NULL);
    if (rc) return rc;
    dc_access_reader r = dc_db_reader(db);
    for (size_t i = 0; i < doc->n_portions; i++) {
        const dc_portion *p = &doc->portions[i];
        if (!p->withheld && !dc_access_portion_cleared(&r, doc, p) && !is_released(doc)) {
            dc_db_audit_add(db, "refused", id, "release");
            rc = dc_db_fail(db, DC_DENIED, "access denied: cannot release %s: you are not "
                            "cleared for portion %s (withhold it or have it reviewed)", id,
                            p->id);
            dc_doc_free(doc); /* after the message: p points into doc */
            return rc;
        }
    }
    char today[11];
    today_utc(today);
    rc = dc_str_set(&doc->release_status, "released");
    if (!rc) rc = dc_str_set(&doc->release_date, today);
    size_t n_withheld = 0;
    for (size_t i = 0; i < doc->n_portions; i++) n_withheld += doc->portions[i].withheld != 0;
    char detail[64];
    snprintf(detail, sizeof detail, "%zu portions withheld", n_withheld);
    if (!rc) rc = review_store(db, doc, "release", id, detail, version);
    else dc_db_fail(db, rc, "out of memory");
    dc_doc_free(doc);
    return rc;
}
