/*
 * The facade: the declassification review workflow (docs/review.md,
 * "Workflow").  One review request per document, in the store's reviews
 * table: its state, kind, received and due dates, and a record (JSON) of
 * the referrals, the decider, the approver, the releases and every
 * transition (who, when, from, to).  The states:
 *
 *   queued -> in-review -> referred -> in-review -> decided -> approved -> released
 *                       \-> decided (no referral)    \-> withheld-in-full
 *   released | withheld-in-full -> appealed -> in-review
 *
 * A referral names agencies; while a document is referred only reviewers
 * of those agencies decide (each answers for its own) and, once referred,
 * an agency's withholdings are lifted only by its reviewers.  QA
 * (approve) must come from a reviewer other than the decider.  A release
 * of a document with a request needs it approved.  Due dates: MDR 180
 * days after receipt (EO 13526 section 3.5, 32 CFR 2001.33), FRUS 120
 * days (22 U.S.C. 4353).  Every transition is audited in the same
 * transaction as the row it writes.
 */
#include "facade/facade_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "model/model_int.h"
#include "store/store.h"
#include "util/util_int.h"
#include "util/banned.h"

static dc_rc copy_row(void *ctx, const dc_review_row *r)
{
    dc_db_review *o = ctx;
    o->state = dc_strdup(r->state);
    o->kind = dc_strdup(r->kind);
    o->received = dc_strdup(r->received);
    o->due = dc_strdup(r->due);
    o->record = dc_strdup(r->record);
    return o->state && o->kind && o->received && o->due && o->record ? DC_OK : DC_NOMEM;
}

void dc_db_review_release(dc_db_review *r)
{
    free(r->state);
    free(r->kind);
    free(r->received);
    free(r->due);
    free(r->record);
    *r = (dc_db_review){0};
}

dc_rc dc_db_review_get(dc_db *db, const char *id, dc_db_review *out)
{
    *out = (dc_db_review){0};
    dc_rc rc = dc_store_reviews(db->st, id, copy_row, out);
    if (rc == DC_NOTFOUND) {
        dc_db_review_release(out);
        return DC_OK;
    }
    if (rc) {
        dc_db_review_release(out);
        return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    }
    return DC_OK;
}

/* Days from 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), and back. */
static long days_from(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from(long z, char out[11])
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    dc_date_iso(out, (int)(y + (m <= 2)), (int)m, (int)d);
}

/* The due date of a request of kind received on date (YYYY-MM-DD). */
static void due_date(const char *kind, const char *received, char out[11])
{
    int y = 1970, m = 1, d = 1;
    dc_date_parse(received, strlen(received), &y, &m, &d);
    civil_from(days_from(y, m, d) + (strcmp(kind, "mdr") == 0 ? 180 : 120), out);
}

/* The record's string member k, or NULL. */
static const char *rec_str(const dc_jv *rec, const char *k)
{
    const dc_jv *v = dc_jget(rec, k);
    return v && v->type == DC_JV_STRING ? v->str : NULL;
}

/* The array member k of rec, made if missing; NULL on NOMEM. */
static dc_jv *rec_arr(dc_jdoc *doc, dc_jv *rec, const char *k)
{
    dc_jv *a = (dc_jv *)dc_jget(rec, k);
    if (a && a->type == DC_JV_ARRAY) return a;
    a = dc_jnew(doc, DC_JV_ARRAY);
    return a && dc_jset(doc, rec, k, a) == DC_OK ? a : NULL;
}

/* Sets string member k of o to v (NULL: null). */
static int set_str(dc_jdoc *doc, dc_jv *o, const char *k, const char *v)
{
    dc_jv *x = v ? dc_jnew_str(doc, v) : dc_jnew(doc, DC_JV_NULL);
    return x && dc_jset(doc, o, k, x) == DC_OK;
}

/* The review record as stored (an empty one when there is none or it is
 * not an object); DC_NOMEM. */
static dc_rc rec_load(const char *json, dc_jdoc *doc)
{
    if (json && dc_jparse(json, strlen(json), doc) == DC_OK && doc->root->type == DC_JV_OBJECT)
        return DC_OK;
    if (json) dc_jdoc_free(doc);
    memset(doc, 0, sizeof *doc);
    return (doc->root = dc_jnew(doc, DC_JV_OBJECT)) ? DC_OK : DC_NOMEM;
}

/* Stores the review of id in state with rec, and audits the transition
 * from `from`, in the caller's transaction. */
static dc_rc put_review(dc_db *db, const char *id, const char *from, const char *state,
                        const char *kind, const char *received, const char *due, dc_jdoc *rec,
                        const char *detail)
{
    char now[32];
    if (!dc_utc_now(now, sizeof now, 1)) snprintf(now, sizeof now, "1970-01-01T00:00:00Z");
    dc_jv *h = dc_jnew(rec, DC_JV_OBJECT);
    dc_jv *hist = rec_arr(rec, rec->root, "history");
    if (!h || !hist || !set_str(rec, h, "from", from) || !set_str(rec, h, "to", state) ||
        !set_str(rec, h, "by", dc_db_user(db)) || !set_str(rec, h, "at", now) ||
        (detail && !set_str(rec, h, "detail", detail)))
        return dc_db_fail(db, DC_NOMEM, "out of memory");
    dc_jpush(hist, h);
    dc_buf out;
    dc_buf_init(&out, 0);
    dc_json j;
    dc_json_init(&j, &out, 0);
    dc_json_value(&j, rec->root);
    if (out.rc || !out.p) {
        dc_buf_release(&out);
        return dc_db_fail(db, DC_NOMEM, "out of memory");
    }
    dc_review_row row = {id, state, kind, received, due, out.p};
    dc_rc rc = dc_store_review_put(db->st, &row);
    char d[512];
    snprintf(d, sizeof d, "%s -> %s%s%s", from ? from : "none", state, detail ? "; " : "",
             detail ? detail : "");
    char action[48];
    snprintf(action, sizeof action, "review-%s", state);
    if (!rc) rc = dc_store_audit(db->st, db->user, action, id, d);
    dc_buf_release(&out);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return DC_OK;
}

/* The same as one transaction of its own. */
static dc_rc transition(dc_db *db, const char *id, const char *from, const char *state,
                        const char *kind, const char *received, const char *due, dc_jdoc *rec,
                        const char *detail)
{
    dc_rc rc = dc_store_begin(db->st);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    rc = put_review(db, id, from, state, kind, received, due, rec, detail);
    if (!rc) rc = dc_store_commit(db->st);
    if (rc) {
        dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
        dc_store_rollback(db->st);
    }
    return rc;
}

static int in(const char *s, const char *a, const char *b)
{
    return s && ((a && strcmp(s, a) == 0) || (b && strcmp(s, b) == 0));
}

dc_rc dc_db_review_request(dc_db *db, const char *id, const char *kind, const char *received)
{
    if (!kind || !in(kind, "mdr", "frus"))
        return dc_db_fail(db, DC_MISUSE, "unknown request kind '%s' (mdr: due in 180 days, "
                          "frus: due in 120 days)", kind ? kind : "");
    char today[11];
    if (!dc_utc_now(today, sizeof today, 0)) snprintf(today, sizeof today, "1970-01-01");
    int y, m, d;
    if (received && !(strlen(received) == 10 && dc_date_parse(received, 10, &y, &m, &d) && m &&
                      d && d <= dc_days_in_month(y, m)))
        return dc_db_fail(db, DC_MISUSE, "bad received date '%s' (YYYY-MM-DD)", received);
    if (!received) received = today;
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_review_load(db, "review", id, NULL, &doc, NULL);
    dc_doc_free(doc);
    if (rc) return rc;
    dc_db_review cur;
    if ((rc = dc_db_review_get(db, id, &cur)) != DC_OK) return rc;
    if (cur.state && !in(cur.state, "released", "withheld-in-full")) {
        rc = dc_db_fail(db, DC_MISUSE, "%s is already under review (%s)", id, cur.state);
        dc_db_review_release(&cur);
        return rc;
    }
    dc_jdoc rec;
    int ok = rec_load(cur.record, &rec) == DC_OK;
    char due[11];
    due_date(kind, received, due);
    /* a new request starts afresh but keeps the history and the releases */
    if (ok) dc_jdel(rec.root, "referrals");
    rc = ok && set_str(&rec, rec.root, "decided_by", NULL) &&
                 set_str(&rec, rec.root, "approved_by", NULL)
             ? transition(db, id, cur.state, "queued", kind, received, due, &rec, kind)
             : dc_db_fail(db, DC_NOMEM, "out of memory");
    dc_jdoc_free(&rec);
    dc_db_review_release(&cur);
    return rc;
}

/* 1 if agency is among the referrals of rec (pending only: pending). */
static int referred_to(const dc_jv *rec, const char *agency, int pending)
{
    const dc_jv *a = dc_jget(rec, "referrals");
    for (const dc_jv *r = a && a->type == DC_JV_ARRAY ? a->child : NULL; r; r = r->next) {
        const char *ag = rec_str(r, "agency"), *st = rec_str(r, "status");
        if (ag && agency && strcmp(ag, agency) == 0 && (!pending || in(st, "pending", NULL)))
            return 1;
    }
    return 0;
}

static int pending_left(const dc_jv *rec)
{
    const dc_jv *a = dc_jget(rec, "referrals");
    for (const dc_jv *r = a && a->type == DC_JV_ARRAY ? a->child : NULL; r; r = r->next)
        if (in(rec_str(r, "status"), "pending", NULL)) return 1;
    return 0;
}

dc_rc dc_db_review_act(dc_db *db, const char *id, const char *action,
                       const char *const *agencies, size_t n_agencies, const char *note)
{
    static const char *const actions[] = {"start", "refer", "decide", "withhold-in-full",
                                          "approve", "appeal"};
    size_t ai = 0;
    while (ai < 6 && (!action || strcmp(action, actions[ai]) != 0)) ai++;
    if (ai == 6) return dc_db_fail(db, DC_MISUSE, "unknown review action '%s'", action ? action : "");
    if (ai == 1 && !n_agencies)
        return dc_db_fail(db, DC_MISUSE, "refer: name the agencies (--agency NAME)");
    for (size_t i = 0; i < n_agencies; i++)
        if (!dc_access_compartment_ok(agencies[i]))
            return dc_db_fail(db, DC_MISUSE, "bad agency '%s' (upper-case letters, digits, "
                              "'-', '_')", agencies[i]);
    if (note && strlen(note) > 2000) return dc_db_fail(db, DC_MISUSE, "the note is too long");
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_review_load(db, "review", id, NULL, &doc, NULL);
    dc_doc_free(doc);
    if (rc) return rc;
    dc_db_review cur;
    if ((rc = dc_db_review_get(db, id, &cur)) != DC_OK) return rc;
    if (!cur.state) {
        return dc_db_fail(db, DC_MISUSE, "%s has no review request: 'declass review queue %s "
                          "--kind mdr|frus' makes one", id, id);
    }
    dc_jdoc rd;
    if (rec_load(cur.record, &rd) != DC_OK) {
        dc_db_review_release(&cur);
        return dc_db_fail(db, DC_NOMEM, "out of memory");
    }
    dc_jv *rec = rd.root;
    const char *me = dc_db_user(db), *mine = db->agency;
    const char *to = NULL;
    char detail[512] = "";
    int ok = 1;
    switch (ai) {
    case 0: /* start */
        if (in(cur.state, "queued", "appealed")) to = "in-review";
        break;
    case 1: { /* refer */
        if (!in(cur.state, "in-review", "referred")) break;
        dc_jv *refs = rec_arr(&rd, rec, "referrals");
        dc_buf d;
        dc_buf_init(&d, sizeof detail - 1);
        dc_buf_join(&d, agencies, n_agencies, ',');
        snprintf(detail, sizeof detail, "%s", d.p ? d.p : "");
        dc_buf_release(&d);
        for (size_t i = 0; refs && ok && i < n_agencies; i++) {
            if (referred_to(rec, agencies[i], 1)) continue;
            dc_jv *r = dc_jnew(&rd, DC_JV_OBJECT);
            ok = r && set_str(&rd, r, "agency", agencies[i]) &&
                 set_str(&rd, r, "status", "pending");
            if (ok) dc_jpush(refs, r);
        }
        ok = ok && refs;
        to = "referred";
        break;
    }
    case 2:   /* decide */
    case 3: { /* withhold-in-full */
        if (in(cur.state, "referred", NULL)) {
            if (!*mine || !referred_to(rec, mine, 1)) {
                rc = dc_db_fail(db, DC_DENIED, "access denied: %s is referred; only a reviewer "
                                "of a referred agency decides it now", id);
                break;
            }
            dc_jv *a = (dc_jv *)dc_jget(rec, "referrals");
            for (dc_jv *r = a && a->type == DC_JV_ARRAY ? a->child : NULL; r; r = r->next)
                if (in(rec_str(r, "agency"), mine, NULL)) {
                    char now[32];
                    if (!dc_utc_now(now, sizeof now, 1)) snprintf(now, sizeof now, "?");
                    ok = ok && set_str(&rd, r, "status", "decided") &&
                         set_str(&rd, r, "by", me) && set_str(&rd, r, "at", now);
                }
            snprintf(detail, sizeof detail, "%s answered the referral", mine);
            /* every agency answered: back to the reviewer who referred it */
            to = pending_left(rec) ? "referred" : "in-review";
            break;
        }
        if (!in(cur.state, "in-review", NULL)) break;
        ok = set_str(&rd, rec, "decided_by", me);
        to = ai == 2 ? "decided" : "withheld-in-full";
        break;
    }
    case 4: /* approve */
        if (!in(cur.state, "decided", NULL)) break;
        if (in(rec_str(rec, "decided_by"), me, NULL)) {
            rc = dc_db_fail(db, DC_DENIED, "access denied: %s decided %s; quality assurance "
                            "needs another reviewer", me, id);
            break;
        }
        ok = set_str(&rd, rec, "approved_by", me);
        to = "approved";
        break;
    case 5: /* appeal */
        if (!in(cur.state, "released", "withheld-in-full")) break;
        ok = set_str(&rd, rec, "decided_by", NULL) && set_str(&rd, rec, "approved_by", NULL);
        to = "appealed";
        break;
    }
    if (!rc && !ok) rc = dc_db_fail(db, DC_NOMEM, "out of memory");
    if (!rc && !to)
        rc = dc_db_fail(db, DC_MISUSE, "%s: cannot %s a document that is %s", id, action,
                        cur.state);
    if (!rc && note && *note) {
        size_t l = strlen(detail);
        snprintf(detail + l, sizeof detail - l, "%s%s", l ? "; " : "", note);
    }
    if (!rc)
        rc = transition(db, id, cur.state, to, cur.kind, cur.received, cur.due, &rd,
                        *detail ? detail : NULL);
    else if (rc == DC_DENIED)
        dc_db_audit_add(db, "refused", id, action);
    dc_jdoc_free(&rd);
    dc_db_review_release(&cur);
    return rc;
}

dc_rc dc_db_review_may_release(dc_db *db, const char *id)
{
    dc_db_review cur;
    dc_rc rc = dc_db_review_get(db, id, &cur);
    if (rc) return rc;
    if (cur.state && !in(cur.state, "approved", NULL))
        rc = dc_db_fail(db, DC_MISUSE, "cannot release %s: its review is %s, not approved "
                        "(declass review approve %s)", id, cur.state, id);
    dc_db_review_release(&cur);
    return rc;
}

dc_rc dc_db_review_released(dc_db *db, const char *id, int version)
{
    dc_db_review cur;
    dc_rc rc = dc_db_review_get(db, id, &cur);
    if (rc || !cur.state) return rc;
    dc_jdoc rec;
    dc_jv *rel = rec_load(cur.record, &rec) == DC_OK ? rec_arr(&rec, rec.root, "releases") : NULL;
    dc_jv *v = rel ? dc_jnew_num(&rec, version) : NULL;
    if (v) {
        dc_jpush(rel, v);
        char detail[32];
        snprintf(detail, sizeof detail, "version %d", version);
        rc = put_review(db, id, cur.state, "released", cur.kind, cur.received, cur.due, &rec,
                        detail);
    } else {
        rc = dc_db_fail(db, DC_NOMEM, "out of memory");
    }
    dc_jdoc_free(&rec);
    dc_db_review_release(&cur);
    return rc;
}

int dc_db_review_agency_ok(dc_db *db, const char *id, const char *agency)
{
    if (!agency || !*agency || strcmp(db->agency, agency) == 0) return 1;
    dc_db_review cur;
    if (dc_db_review_get(db, id, &cur) || !cur.state) return 1;
    dc_jdoc rec;
    int owned = cur.record && dc_jparse(cur.record, strlen(cur.record), &rec) == DC_OK;
    if (owned) {
        owned = referred_to(rec.root, agency, 0);
        dc_jdoc_free(&rec);
    }
    dc_db_review_release(&cur);
    return !owned;
}

/* ---- listing ------------------------------------------------------------ */

typedef struct queue_walk {
    dc_db *db;
    dc_access_reader r;
    dc_review_info_cb cb;
    void *ctx;
} queue_walk;

static dc_rc queue_one(void *ctx, const dc_review_row *row)
{
    queue_walk *q = ctx;
    char *status = NULL, *cls = NULL;
    dc_rc rc = dc_store_status(q->db->st, row->doc_id, 0, &status, &cls, NULL);
    int ok = !rc && dc_access_doc_readable(&q->r, status, cls);
    free(status);
    free(cls);
    if (rc == DC_NOTFOUND || !ok) return DC_OK; /* not theirs to see */
    if (rc) return rc;
    dc_review_info info = {row->doc_id, row->state, row->kind, row->received, row->due,
                           row->record};
    return q->cb(q->ctx, &info);
}

dc_rc dc_db_review_list(dc_db *db, const char *id, dc_review_info_cb cb, void *ctx)
{
    dc_rc rc = dc_db_require_role(db, DC_ROLE_REVIEWER | DC_ROLE_ADMIN, "review", id);
    if (rc) return rc;
    if (id) {
        dc_doc *doc = NULL;
        rc = dc_db_review_load(db, "review", id, NULL, &doc, NULL);
        dc_doc_free(doc);
        if (rc) return rc;
    }
    queue_walk q = {db, dc_db_reader(db), cb, ctx};
    rc = dc_store_reviews(db->st, id, queue_one, &q);
    if (rc == DC_NOTFOUND) return dc_db_fail(db, rc, "%s has no review request", id);
    if (rc) return dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    return dc_db_audit_add(db, "review", id ? id : "queue", NULL);
}

/* ---- releases and what changed between two ---------------------------- */

typedef struct rel_walk {
    dc_release_cb cb;
    void *ctx;
    int n, is_public;
    int want, found_version; /* release_version: the stored version of release `want` */
} rel_walk;

/* A release: a stored version released that changed what the public
 * reads — made by release, by a withholding or marking of a released
 * document (at once a new release), by an ingest; not by a lift (it waits
 * for the next release).  Judged on the stored record, so every reader
 * who may read the document sees the same releases (the same numbers,
 * times and makers); `version` is the reader's own version number of it
 * (for show --version), and the public is not told who or from which
 * file, as in dc_db_versions. */
static dc_rc rel_one(void *ctx, const dc_version_info *v, int reader_version)
{
    rel_walk *w = ctx;
    int released = v->release_status && strcmp(v->release_status, "released") == 0;
    int by_release = v->source && strncmp(v->source, "release by ", 11) == 0;
    int is = released && !(v->source && strncmp(v->source, "lift by ", 8) == 0);
    if (!is) return DC_OK;
    w->n++;
    if (w->want && w->n == w->want) w->found_version = v->version;
    if (!w->cb) return DC_OK;
    const char *by = v->source ? strstr(v->source, " by ") : NULL;
    dc_release_info r = {
        .release = w->n,
        .version = reader_version,
        .at = v->ingested_at,
        .by = !w->is_public && by && (by_release || strncmp(v->source, "ingest", 6) != 0) ? by + 4
                                                                                          : NULL,
        .source = w->is_public ? NULL : v->source};
    return w->cb(w->ctx, &r);
}

/* The releases of id, for a reader who may read it now. */
static dc_rc walk_releases(dc_db *db, const char *id, const char *what, rel_walk *w)
{
    dc_doc *doc = NULL;
    dc_rc rc = dc_db_read(db, id, 0, what, &doc);
    dc_doc_free(doc);
    if (rc) return rc;
    w->is_public = db->user == NULL;
    return dc_db_stored_versions(db, id, rel_one, w);
}

dc_rc dc_db_releases(dc_db *db, const char *id, dc_release_cb cb, void *ctx)
{
    rel_walk w = {.cb = cb, .ctx = ctx};
    dc_rc rc = walk_releases(db, id, "releases", &w);
    if (rc) return rc;
    return dc_db_audit_add(db, "read", id, "releases");
}

/* The stored version of release n of id, or DC_NOTFOUND. */
static dc_rc release_version(dc_db *db, const char *id, int n, int *version)
{
    rel_walk w = {.want = n};
    dc_rc rc = walk_releases(db, id, "diff", &w);
    if (rc) return rc;
    if (!w.found_version)
        return dc_db_fail(db, DC_NOTFOUND, "%s has %d release%s, no release %d", id, w.n,
                          w.n == 1 ? "" : "s", n);
    *version = w.found_version;
    return DC_OK;
}

/* 1 if withholding wid hides in doc (a portion withheld without a record
 * counts under its portion id). */
static const dc_withholding *active_in(const dc_doc *doc, const char *wid)
{
    for (size_t i = 0; i < doc->n_withholdings; i++) {
        const dc_withholding *w = &doc->withholdings[i];
        if (w->id && strcmp(w->id, wid) == 0) return dc_withholding_active(w) ? w : NULL;
    }
    return NULL;
}

/* 1 if r may read target of cur at all now (its portion, or the
 * document for the title, the source note and notes not in a portion). */
static int target_readable(const dc_access_reader *r, const dc_doc *cur, const char *target)
{
    const dc_portion *p = dc_doc_portion(cur, target);
    if (!p && strncmp(target, "fn", 2) == 0) {
        const dc_footnote *f = dc_doc_footnote(cur, target + 2);
        if (f && f->anchor) p = dc_doc_portion(cur, f->anchor);
    }
    return dc_access_may_read(r, cur, p);
}

/* The changes of withholdings from `from` (older) to `to` for reader r,
 * judged against today's document cur. */
static dc_rc diff_withholdings(dc_db *db, const dc_access_reader *r, const dc_doc *from,
                               const dc_doc *to, const dc_doc *cur, dc_diff_cb cb, void *ctx,
                               dc_strv *told)
{
    int codes = (db->roles & (DC_ROLE_REVIEWER | DC_ROLE_ADMIN)) != 0;
    for (int pass = 0; pass < 2; pass++) {
        const dc_doc *a = pass ? from : to, *b = pass ? to : from;
        for (size_t i = 0; i < a->n_withholdings; i++) {
            const dc_withholding *w = &a->withholdings[i];
            if (!w->id || !w->target || !dc_withholding_active(w) || active_in(b, w->id)) continue;
            if (!target_readable(r, cur, w->target)) continue;
            dc_diff_entry e = {.target = w->target, .withholding = w->id};
            char notice[96], extent[48];
            size_t len = w->whole ? (w->text ? strlen(w->text) : 0) : w->end - w->start;
            dc_access_notice(w->kind, 1, len, notice, sizeof notice, extent, sizeof extent);
            if (!pass) { /* hides in `to`, did not in `from`: newly withheld */
                e.change = "withheld";
                e.notice = notice;
                e.code = codes ? w->code : NULL;
            } else { /* hid in `from`, no longer: published, its text if readable today */
                e.change = "published";
                const dc_withholding *now = active_in(cur, w->id);
                int readable = !now || dc_access_withholding_readable(r, cur, now);
                e.text = readable ? w->text : NULL;
                e.notice = readable ? NULL : notice;
            }
            dc_rc rc = cb(ctx, &e);
            if (!rc && dc_strv_add_unique(told, w->target)) rc = DC_NOMEM;
            if (rc) return rc;
        }
    }
    return DC_OK;
}

dc_rc dc_db_diff(dc_db *db, const char *id, int release, int against, dc_diff_cb cb, void *ctx)
{
    if (release < 1 || against < 0)
        return dc_db_fail(db, DC_MISUSE, "releases are numbered from 1");
    if (!against) against = release - 1;
    if (against < 1) return dc_db_fail(db, DC_MISUSE, "release 1 has no release before it: "
                                       "give --against M");
    int sn = 0, sm = 0; /* the stored versions of the two releases */
    dc_rc rc = release_version(db, id, release, &sn);
    if (!rc) rc = release_version(db, id, against, &sm);
    if (rc) return rc;
    dc_doc *from = NULL, *to = NULL, *cur = NULL, *va = NULL, *vb = NULL;
    int denied = 0;
    rc = dc_store_get(db->st, id, sm < sn ? sm : sn, &from);
    if (!rc) rc = dc_store_get(db->st, id, sm < sn ? sn : sm, &to);
    if (!rc) rc = dc_store_get(db->st, id, 0, &cur);
    if (rc) rc = dc_db_fail(db, rc, "%s", dc_store_errmsg(db->st));
    /* the portions whose text differs between the two, as this reader
     * sees each today (views: nothing withheld today shows) */
    if (!rc) rc = dc_db_view_stored(db, id, sm < sn ? sm : sn, &va, &denied);
    if (!rc) rc = dc_db_view_stored(db, id, sm < sn ? sn : sm, &vb, &denied);
    dc_access_reader r = dc_db_reader(db);
    dc_strv told = {0};
    if (!rc) rc = diff_withholdings(db, &r, from, to, cur, cb, ctx, &told);
    for (size_t i = 0; !rc && i < vb->n_portions; i++) {
        const dc_portion *q = &vb->portions[i], *p = dc_doc_portion(va, q->id);
        if (p && p->text && q->text && strcmp(p->text, q->text) == 0) continue;
        size_t k = 0;
        while (k < told.n && strcmp(told.v[k], q->id) != 0) k++;
        if (k < told.n) continue; /* said already: a withholding changed there */
        dc_diff_entry e = {.change = p ? "changed" : "added", .target = q->id};
        rc = cb(ctx, &e);
    }
    dc_strv_release(&told);
    dc_doc_free(from);
    dc_doc_free(to);
    dc_doc_free(cur);
    dc_doc_free(va);
    dc_doc_free(vb);
    if (!rc) rc = dc_db_audit_add(db, "read", id, "diff");
    return rc;
}
