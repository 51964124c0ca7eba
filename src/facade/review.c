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

/* 1 if a reviewer r may act on portion p: cleared for it, or it is
 * public (released, not withheld). */
static int portion_readable(const dc_access_reader *r, const dc_doc *doc, const dc_portion *p)
{
    dc_access_class c;
    dc_access_portion_class(doc, p, &c);
    return dc_access_portion_cleared(r, doc, p) || c.open;
}

/* For a footnote target "fnN": the portion it is anchored in (its index
 * in *pi), or NULL. */
static const dc_portion *anchor_portion(const dc_doc *doc, const char *target, size_t *pi)
{
    if (strncmp(target, "fn", 2) != 0) return NULL;
    const dc_footnote *f = dc_doc_footnote(doc, target + 2);
    for (size_t i = 0; f && f->anchor && i < doc->n_portions; i++)
        if (strcmp(doc->portions[i].id, f->anchor) == 0) {
            *pi = i;
            return &doc->portions[i];
        }
    return NULL;
}

/* 1 if target names a part of doc that is not a portion: "title",
 * "source" (when it has a source note), or a footnote "fnN" anchored
 * nowhere or in the title. */
static int target_exists(const dc_doc *doc, const char *target)
{
    if (strcmp(target, "title") == 0) return doc->title != NULL;
    if (strcmp(target, "source") == 0) return doc->source_note != NULL;
    if (strncmp(target, "fn", 2) != 0) return 0;
    const dc_footnote *f = dc_doc_footnote(doc, target + 2);
    return f && f->text && (!f->anchor || !dc_doc_portion(doc, f->anchor));
}

/*
 * Loads the current version of id for a review action by a reviewer:
 * the document must be readable by them (else it is "no document", as
 * for a missing one) and, when portion is given, the portion must be one
 * they can read (else "no portion").  *pi is the portion's index.
 */
dc_rc dc_db_review_load(dc_db *db, const char *action, const char *id, const char *portion,
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
        if (!p) p = anchor_portion(doc, portion, &i);
        int other = !p && target_exists(doc, portion);
        int readable = other || (p && portion_readable(&r, doc, p));
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
    int v = 0;
    if (!rc) rc = dc_store_put(db->st, doc, source, &res, &v);
    if (version) *version = v;
    if (!rc) rc = dc_store_audit(db->st, db->user, action, target, detail);
    /* a release ends the document's review request, in the same transaction */
    if (!rc && strcmp(action, "release") == 0) rc = dc_db_review_released(db, doc->id, v);
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
    dc_withhold_spec spec = {.id = id, .target = portion, .code = reason};
    return dc_db_withhold_span(db, &spec, NULL, 0, version);
}

/* The next withholding id of doc: "w" and one more than the highest
 * number used ("w3.2", a copy placed again, counts as 3). */
static void next_wid(const dc_doc *doc, char *out, size_t cap)
{
    unsigned long max = 0;
    for (size_t i = 0; i < doc->n_withholdings; i++) {
        const char *w = doc->withholdings[i].id;
        if (!w || w[0] != 'w') continue;
        unsigned long n = strtoul(w + 1, NULL, 10);
        if (n > max) max = n;
    }
    snprintf(out, cap, "w%lu", max + 1);
}

static int kind_ok(const char *k)
{
    return !k || strcmp(k, "name") == 0 || strcmp(k, "place") == 0 || strcmp(k, "lines") == 0 ||
           strcmp(k, "paragraph") == 0;
}

/* The text of target in doc (see dc_withholding_target_text). */
static const char *target_text(const dc_doc *doc, const char *target)
{
    dc_withholding w = {.target = (char *)target};
    return dc_withholding_target_text(doc, &w);
}

/*
 * Finds occurrence occ (1-based) of text in t: its offset in *at.
 * DC_NOTFOUND when there are fewer (*count: how many there are).
 */
static dc_rc find_occurrence(const char *t, const char *text, int occ, size_t *at, int *count)
{
    size_t n = strlen(text);
    int k = 0;
    for (const char *h = strstr(t, text); h; h = strstr(h + 1, text)) {
        if (++k == occ) {
            *at = (size_t)(h - t);
            return DC_OK;
        }
    }
    *count = k;
    (void)n;
    return DC_NOTFOUND;
}

/* The active withholding of doc on target that a new one over [s, e)
 * (whole: all of target) would repeat, or NULL. */
static const dc_withholding *overlapping(const dc_doc *doc, const char *target, int whole,
                                         size_t s, size_t e)
{
    for (size_t i = 0; i < doc->n_withholdings; i++) {
        const dc_withholding *w = &doc->withholdings[i];
        if (!dc_withholding_active(w) || !w->target || strcmp(w->target, target) != 0) continue;
        /* a whole withholding over spans is allowed (it hides more) */
        if (whole ? w->whole : (w->whole || (w->start < e && s < w->end))) return w;
    }
    return NULL;
}

dc_rc dc_db_withhold_span(dc_db *db, const dc_withhold_spec *sp, char *wid, size_t wid_cap,
                          int *version)
{
    if (wid && wid_cap) wid[0] = 0;
    char msg[1024];
    if (dc_access_code_check(sp->code, sp->until, sp->event, msg, sizeof msg))
        return dc_db_fail(db, DC_MISUSE, "%s", msg);
    if (!kind_ok(sp->kind))
        return dc_db_fail(db, DC_MISUSE, "unknown kind '%s' (name, place, lines or paragraph)",
                          sp->kind);
    if (sp->agency && (!*sp->agency || strlen(sp->agency) > 64))
        return dc_db_fail(db, DC_MISUSE, "the agency must be 1 to 64 bytes");
    if (sp->text && (!*sp->text || strlen(sp->text) > 100000))
        return dc_db_fail(db, DC_MISUSE, "the text to withhold must be 1 to 100000 bytes");
    if (sp->occurrence < 0 || (sp->occurrence && !sp->text))
        return dc_db_fail(db, DC_MISUSE, "--occurrence N (N >= 1) goes with --text");
    const char *target = sp->target ? sp->target : "";
    dc_doc *doc = NULL;
    size_t i = 0;
    dc_rc rc = dc_db_review_load(db, "withhold", sp->id, target, &doc, &i);
    if (rc) return rc;
    const char *t = target_text(doc, target);
    size_t start = 0, end = 0;
    if (sp->text) {
        int count = 0;
        if (!t || find_occurrence(t, sp->text, sp->occurrence ? sp->occurrence : 1, &start,
                                  &count)) {
            dc_doc_free(doc);
            return dc_db_fail(db, DC_NOTFOUND, "the text is not in %s of %s%s", target,
                              sp->id, count ? " that many times" : "");
        }
        end = start + strlen(sp->text);
    }
    const dc_withholding *o = overlapping(doc, target, !sp->text, start, end);
    if (o) {
        char oid[64];
        snprintf(oid, sizeof oid, "%s", o->id ? o->id : "?");
        dc_doc_free(doc);
        return dc_db_fail(db, DC_MISUSE, "%s of %s is already withheld there (%s); lift it "
                          "first", target, sp->id, oid);
    }
    char id[32], now[32], today[11];
    next_wid(doc, id, sizeof id);
    if (!dc_utc_now(now, sizeof now, 1)) snprintf(now, sizeof now, "1970-01-01T00:00:00Z");
    today_utc(today);
    dc_withholding *w = dc_doc_add_withholding(doc);
    rc = w ? DC_OK : DC_NOMEM;
    if (!rc) {
        w->whole = !sp->text;
        w->start = start;
        w->end = end;
        if (dc_str_set(&w->id, id) || dc_str_set(&w->target, target) ||
            dc_str_set(&w->text, sp->text ? sp->text : t) ||
            dc_str_set(&w->kind, sp->kind ? sp->kind : "lines") ||
            dc_str_set(&w->code, sp->code) || dc_str_set(&w->agency, sp->agency) ||
            dc_str_set(&w->until, sp->until) || dc_str_set(&w->event, sp->event) ||
            dc_str_set(&w->reviewer, dc_db_user(db)) || dc_str_set(&w->at, now) ||
            dc_str_set(&w->status, "withheld"))
            rc = DC_NOMEM;
    }
    dc_portion *p = !rc && !sp->text ? (dc_portion *)dc_doc_portion(doc, target) : NULL;
    if (p) {
        p->withheld = 1;
        rc = dc_str_set(&p->withheld_reason, sp->code);
    }
    /* Withholding more of a released document is itself a new release. */
    if (!rc && is_released(doc)) rc = dc_str_set(&doc->release_date, today);
    char tgt[DC_MAX_ID + 64], detail[320];
    snprintf(tgt, sizeof tgt, "%s#%s", sp->id, target);
    snprintf(detail, sizeof detail, "%s %s%s %s", id, sp->text ? "span " : "",
             sp->kind ? sp->kind : "lines", sp->code);
    if (!rc) rc = review_store(db, doc, "withhold", tgt, detail, version);
    else dc_db_fail(db, rc, "out of memory");
    if (!rc && wid) snprintf(wid, wid_cap, "%s", id);
    dc_doc_free(doc);
    return rc;
}

/* The withholding of doc with id wid, or NULL. */
static dc_withholding *find_wid(dc_doc *doc, const char *wid)
{
    for (size_t i = 0; wid && i < doc->n_withholdings; i++)
        if (doc->withholdings[i].id && strcmp(doc->withholdings[i].id, wid) == 0)
            return &doc->withholdings[i];
    return NULL;
}

/*
 * A portion withheld before withholdings were recorded (withheld, no
 * active whole withholding): made a withholding now, so it can be lifted
 * like the others.  NULL when wid is not such a portion.
 */
static dc_withholding *legacy(dc_db *db, dc_doc *doc, const char *wid, dc_rc *rc)
{
    const dc_portion *p = dc_doc_portion(doc, wid);
    if (!p || !p->withheld) return NULL;
    for (size_t i = 0; i < doc->n_withholdings; i++) {
        const dc_withholding *w = &doc->withholdings[i];
        if (w->whole && w->target && strcmp(w->target, wid) == 0 && dc_withholding_active(w))
            return NULL;
    }
    char id[32];
    next_wid(doc, id, sizeof id);
    dc_withholding *w = dc_doc_add_withholding(doc);
    if (!w || dc_str_set(&w->id, id) || dc_str_set(&w->target, p->id) ||
        dc_str_set(&w->text, p->text) || dc_str_set(&w->kind, "lines") ||
        dc_str_set(&w->code, p->withheld_reason ? p->withheld_reason : "") ||
        dc_str_set(&w->status, "withheld")) {
        *rc = dc_db_fail(db, DC_NOMEM, "out of memory");
        return NULL;
    }
    w->whole = 1;
    return w;
}

dc_rc dc_db_lift(dc_db *db, const char *id, const char *wid, const char *note, int *version)
{
    if (!note || !*note || strlen(note) > 2000)
        return dc_db_fail(db, DC_MISUSE, "give a note (1 to 2000 bytes) saying why the "
                          "withholding is lifted");
    if (!wid || !*wid || strlen(wid) > 64)
        return dc_db_fail(db, DC_MISUSE, "give a withholding id (w1, w2, ... as 'declass "
                          "withholdings' lists them)");
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_review_load(db, "lift", id, NULL, &doc, NULL);
    if (rc) return rc;
    dc_access_reader r = dc_db_reader(db);
    dc_withholding *w = find_wid(doc, wid);
    if (!w) w = legacy(db, doc, wid, &rc);
    if (rc) {
        dc_doc_free(doc);
        return rc;
    }
    if (!w || !dc_access_withholding_readable(&r, doc, w)) {
        dc_doc_free(doc);
        dc_db_audit_add(db, "refused", id, "lift");
        return dc_db_fail(db, DC_NOTFOUND, "no withholding '%s' in document '%s'", wid, id);
    }
    if (w->agency && !dc_db_review_agency_ok(db, id, w->agency)) {
        rc = dc_db_fail(db, DC_DENIED, "access denied: withholding %s of %s is referred to %s: "
                        "only a reviewer of %s may lift it", wid, id, w->agency, w->agency);
        dc_doc_free(doc);
        dc_db_audit_add(db, "refused", id, "lift");
        return rc;
    }
    if (!w->status || (strcmp(w->status, "withheld") != 0 && strcmp(w->status, "orphaned") != 0)) {
        char st[32];
        snprintf(st, sizeof st, "%s", w->status ? w->status : "?");
        dc_doc_free(doc);
        return dc_db_fail(db, DC_MISUSE, "withholding %s of %s is already %s", wid, id, st);
    }
    char now[32];
    if (!dc_utc_now(now, sizeof now, 1)) snprintf(now, sizeof now, "1970-01-01T00:00:00Z");
    char wid_copy[72];
    snprintf(wid_copy, sizeof wid_copy, "%s", w->id);
    if (dc_str_set(&w->status, "lift-pending") || dc_str_set(&w->lifted_by, dc_db_user(db)) ||
        dc_str_set(&w->lifted_at, now) || dc_str_set(&w->note, note))
        rc = dc_db_fail(db, DC_NOMEM, "out of memory");
    char tgt[DC_MAX_ID + 64];
    snprintf(tgt, sizeof tgt, "%s#%s", id, wid_copy);
    if (!rc) rc = review_store(db, doc, "lift", tgt, note, version);
    dc_doc_free(doc);
    return rc;
}

/* What a reviewer is shown of w: all of it when they may read what it
 * hides, else no text and no span. */
static dc_rc show_withholding(const dc_access_reader *r, const dc_doc *doc,
                              const dc_withholding *w, dc_withholding_cb cb, void *ctx)
{
    dc_withholding shown = *w;
    dc_withholding probe = *w;
    probe.status = (char *)"withheld"; /* who may read it while it hides */
    if (!dc_access_withholding_readable(r, doc, &probe)) {
        shown.text = NULL;
        shown.start = shown.end = 0;
    }
    return cb(ctx, &shown);
}

dc_rc dc_db_withholdings(dc_db *db, const char *id, dc_withholding_cb cb, void *ctx)
{
    return dc_db_withholdings_each(db, id, 1, cb, ctx);
}

dc_rc dc_db_withholdings_each(dc_db *db, const char *id, int audit, dc_withholding_cb cb,
                              void *ctx)
{
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_review_load(db, "withholdings", id, NULL, &doc, NULL);
    if (rc) return rc;
    dc_access_reader r = dc_db_reader(db);
    /* portions withheld before withholdings were recorded, as their ids */
    dc_doc *copy = NULL;
    rc = dc_doc_copy(doc, &copy);
    for (size_t i = 0; !rc && i < copy->n_portions; i++) {
        dc_rc lrc = DC_OK;
        dc_withholding *w = legacy(db, copy, copy->portions[i].id, &lrc);
        if (lrc) rc = lrc;
        else if (w && dc_str_set(&w->id, copy->portions[i].id)) rc = DC_NOMEM;
    }
    for (size_t i = 0; !rc && i < copy->n_withholdings; i++) {
        const dc_withholding *w = &copy->withholdings[i];
        const dc_portion *p = w->target ? dc_doc_portion(copy, w->target) : NULL;
        size_t k = 0;
        if (!p) p = w->target ? anchor_portion(copy, w->target, &k) : NULL;
        /* nothing about a portion the reviewer may not read at all */
        if (p && !portion_readable(&r, copy, p)) continue;
        rc = show_withholding(&r, copy, w, cb, ctx);
    }
    if (audit) dc_db_audit_add(db, "withholdings", id, NULL);
    dc_doc_free(copy);
    dc_doc_free(doc);
    if (rc == DC_NOMEM) return dc_db_fail(db, rc, "out of memory");
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
    dc_rc rc = dc_db_review_load(db, "mark", id, portion ? portion : "", &doc, &i);
    if (rc) return rc;
    if (!dc_doc_portion(doc, portion)) { /* the title, a note: not a portion */
        dc_doc_free(doc);
        return dc_db_fail(db, DC_NOTFOUND, "no portion '%s' in document '%s'", portion, id);
    }
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

/* Makes every pending lift of doc take effect: status "lifted", and a
 * portion whose whole withholding is lifted (and that has no other) is
 * no longer withheld. */
static dc_rc apply_lifts(dc_doc *doc)
{
    for (size_t i = 0; i < doc->n_withholdings; i++) {
        dc_withholding *w = &doc->withholdings[i];
        if (!w->status || strcmp(w->status, "lift-pending") != 0) continue;
        if (dc_str_set(&w->status, "lifted")) return DC_NOMEM;
    }
    for (size_t i = 0; i < doc->n_withholdings; i++) {
        const dc_withholding *w = &doc->withholdings[i];
        if (!w->whole || dc_withholding_active(w) || !w->target) continue;
        dc_portion *p = (dc_portion *)dc_doc_portion(doc, w->target);
        if (!p || !p->withheld) continue;
        int other = 0;
        for (size_t k = 0; k < doc->n_withholdings; k++) {
            const dc_withholding *x = &doc->withholdings[k];
            other |= x->whole && x->target && strcmp(x->target, p->id) == 0 &&
                     dc_withholding_active(x);
        }
        if (other) continue;
        p->withheld = 0;
        free(p->withheld_reason);
        p->withheld_reason = NULL;
    }
    return DC_OK;
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
    dc_rc rc = dc_db_review_load(db, "release", id, NULL, &doc, NULL);
    if (!rc && (rc = dc_db_review_may_release(db, id)) != DC_OK) dc_doc_free(doc);
    if (rc) return rc;
    dc_access_reader r = dc_db_reader(db);
    size_t n_lifted = 0;
    for (size_t i = 0; i < doc->n_withholdings; i++) {
        dc_withholding *w = &doc->withholdings[i];
        if (!w->status || strcmp(w->status, "lift-pending") != 0) continue;
        if (!dc_access_withholding_readable(&r, doc, w)) {
            char wid[72];
            snprintf(wid, sizeof wid, "%s", w->id ? w->id : "?");
            dc_doc_free(doc);
            dc_db_audit_add(db, "refused", id, "release");
            return dc_db_fail(db, DC_DENIED, "access denied: cannot release %s: you are not "
                              "cleared for what withholding %s lifts", id, wid);
        }
        n_lifted++;
    }
    rc = apply_lifts(doc);
    if (rc) {
        dc_doc_free(doc);
        return dc_db_fail(db, rc, "out of memory");
    }
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
    size_t n_withheld = 0, n_spans = 0;
    for (size_t i = 0; i < doc->n_portions; i++) n_withheld += doc->portions[i].withheld != 0;
    for (size_t i = 0; i < doc->n_withholdings; i++)
        n_spans += !doc->withholdings[i].whole && dc_withholding_active(&doc->withholdings[i]);
    char detail[128];
    snprintf(detail, sizeof detail, "%zu portions withheld, %zu spans withheld, %zu lifted",
             n_withheld, n_spans, n_lifted);
    if (!rc) rc = review_store(db, doc, "release", id, detail, version);
    else dc_db_fail(db, rc, "out of memory");
    dc_doc_free(doc);
    return rc;
}
