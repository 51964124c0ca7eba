/*
 * The facade: the JSON of the review (docs/review.md), one writer per
 * answer, used by both front ends so `declass withholdings --json` and
 * GET /api/documents/{id}/withholdings (and so on) are the same document.
 * Every writer only formats what the facade's listing already decided the
 * reader may know; on failure the caller discards what was written.
 */
#include "facade/facade_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

void dc_withholding_json(dc_json *j, const dc_withholding *w)
{
    dc_json_obj(j);
    dc_json_kstr(j, "id", w->id);
    dc_json_kstr(j, "portion", w->target);
    dc_json_kbool(j, "whole", w->whole);
    if (!w->whole && w->text) {
        dc_json_kint(j, "start", (long long)w->start);
        dc_json_kint(j, "end", (long long)w->end);
    }
    const char *keys[] = {"text",     "kind", "code",   "agency",    "until",     "event",
                          "reviewer", "at",   "status", "lifted_by", "lifted_at", "note"};
    const char *vals[] = {w->text,     w->kind, w->code,   w->agency,    w->until,     w->event,
                          w->reviewer, w->at,   w->status, w->lifted_by, w->lifted_at, w->note};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) dc_json_kstr(j, keys[i], vals[i]);
    dc_json_end(j);
}

/* Opens {"id": id (unless NULL), key: [ ... */
static void list_open(dc_json *j, const char *id, const char *key)
{
    dc_json_obj(j);
    if (id) dc_json_kstr(j, "id", id);
    dc_json_key(j, key);
    dc_json_arr(j);
}

/* ... ]} closed after the listing's call, which returned rc. */
static dc_rc list_close(dc_json *j, dc_rc rc)
{
    if (rc) return rc;
    dc_json_end(j);
    dc_json_end(j);
    return j->b->rc;
}

static dc_rc withholding_item(void *ctx, const dc_withholding *w)
{
    dc_json *j = ctx;
    dc_withholding_json(j, w);
    return j->b->rc;
}

dc_rc dc_db_withholdings_json(dc_db *db, const char *id, dc_json *j)
{
    list_open(j, id, "withholdings");
    return list_close(j, dc_db_withholdings(db, id, withholding_item, j));
}

typedef struct one_withholding {
    const char *wid;
    dc_json *j;
    int found;
} one_withholding;

static dc_rc withholding_if(void *ctx, const dc_withholding *w)
{
    one_withholding *o = ctx;
    if (o->found || !w->id || strcmp(w->id, o->wid) != 0) return DC_OK;
    o->found = 1;
    dc_json_key(o->j, "withholding");
    dc_withholding_json(o->j, w);
    return o->j->b->rc;
}

dc_rc dc_db_withhold_done_json(dc_db *db, dc_json *j, const char *action, const char *id,
                               const char *wid, int version)
{
    dc_json_obj(j);
    dc_json_kbool(j, "ok", 1);
    dc_json_kstr(j, "action", action);
    dc_json_kstr(j, "id", wid);
    dc_json_kstr(j, "document", id);
    dc_json_kint(j, "version", version);
    /* the withholding as the listing shows it to this reviewer */
    one_withholding o = {wid, j, 0};
    dc_rc rc = dc_db_withholdings_each(db, id, 0, withholding_if, &o);
    if (rc) return rc;
    if (!o.found) {
        dc_json_key(j, "withholding");
        dc_json_null(j);
    }
    dc_json_end(j);
    return j->b->rc;
}

static dc_rc review_item(void *ctx, const dc_review_info *r)
{
    dc_json *j = ctx;
    dc_json_obj(j);
    dc_json_kstr(j, "id", r->id);
    dc_json_kstr(j, "state", r->state);
    dc_json_kstr(j, "kind", r->kind);
    dc_json_kstr(j, "received", r->received);
    dc_json_kstr(j, "due", r->due);
    dc_json_key(j, "record");
    dc_json_raw(j, r->record);
    dc_json_end(j);
    return j->b->rc;
}

dc_rc dc_db_review_json(dc_db *db, const char *id, dc_json *j)
{
    list_open(j, NULL, "reviews");
    return list_close(j, dc_db_review_list(db, id, review_item, j));
}

static dc_rc last_state(void *ctx, const dc_review_info *r)
{
    snprintf(ctx, 32, "%s", r->state ? r->state : "");
    return DC_OK;
}

dc_rc dc_db_review_state(dc_db *db, const char *id, char state[32])
{
    state[0] = '\0';
    return dc_db_review_list(db, id, last_state, state);
}

void dc_review_done_json(dc_json *j, const char *action, const char *id, const char *state)
{
    dc_json_obj(j);
    dc_json_kbool(j, "ok", 1);
    dc_json_kstr(j, "action", action);
    dc_json_kstr(j, "id", id);
    dc_json_kstr(j, "state", state);
    dc_json_end(j);
}

static dc_rc release_item(void *ctx, const dc_release_info *r)
{
    dc_json *j = ctx;
    dc_json_obj(j);
    dc_json_kint(j, "release", r->release);
    dc_json_kint(j, "version", r->version);
    dc_json_kstr(j, "at", r->at);
    dc_json_kstr(j, "by", r->by);
    dc_json_kstr(j, "source", r->source);
    dc_json_end(j);
    return j->b->rc;
}

dc_rc dc_db_releases_json(dc_db *db, const char *id, dc_json *j)
{
    list_open(j, id, "releases");
    return list_close(j, dc_db_releases(db, id, release_item, j));
}

static dc_rc diff_item(void *ctx, const dc_diff_entry *e)
{
    dc_json *j = ctx;
    dc_json_obj(j);
    dc_json_kstr(j, "change", e->change);
    dc_json_kstr(j, "portion", e->target);
    dc_json_kstr(j, "withholding", e->withholding);
    dc_json_kstr(j, "text", e->text);
    dc_json_kstr(j, "notice", e->notice);
    dc_json_kstr(j, "code", e->code);
    dc_json_end(j);
    return j->b->rc;
}

dc_rc dc_db_diff_json(dc_db *db, const char *id, int release, int against, dc_json *j)
{
    dc_json_obj(j);
    dc_json_kstr(j, "id", id);
    dc_json_kint(j, "release", release);
    dc_json_kint(j, "against", against ? against : release - 1);
    dc_json_key(j, "changes");
    dc_json_arr(j);
    return list_close(j, dc_db_diff(db, id, release, against, diff_item, j));
}
