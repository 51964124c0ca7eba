/*
 * Connected records, references: a document's outgoing references resolved
 * to other documents, and the documents citing it — all from the reader's
 * views the caller hands over (dc_links_env).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links/links.h"
#include "util/banned.h"

#define REFS_MAX_INCOMING 1000 /* citing documents looked at (one page of the index) */

int dc_links_volume_number(const char *frag, char *num, size_t cap)
{
    if (!frag || frag[0] != 'd' || frag[1] < '1' || frag[1] > '9') return 0;
    size_t n = 1;
    while (frag[n] >= '0' && frag[n] <= '9') n++;
    if (n - 1 >= cap || (frag[n] && strncmp(frag + n, "fn", 2) != 0)) return 0;
    memcpy(num, frag + 1, n - 1);
    num[n - 1] = '\0';
    return 1;
}

dc_rc dc_links_resolve(const dc_links_env *env, const dc_doc *doc, const dc_ref *r,
                       const dc_doc **out)
{
    *out = NULL;
    if (!r->kind || !r->target) return DC_OK;
    if (strcmp(r->kind, "volume") == 0) {
        char num[32];
        if (!dc_links_volume_number(r->detail, num, sizeof num)) return DC_OK;
        return env->numbered(env->ctx, r->target, num, out);
    }
    if (strcmp(r->kind, "paper") == 0) {
        /* a paper's own name is no reference to itself */
        return dc_papers_document(env, r->target, doc->collection, doc->id, out);
    }
    if (!doc->collection) return DC_OK;
    if (strcmp(r->kind, "document") != 0 && strcmp(r->kind, "footnote") != 0) return DC_OK;
    return env->numbered(env->ctx, doc->collection, r->target, out);
}

/* Whether text says "supersede[sd]? TARGET" (TARGET a whole word). */
static int says_supersedes(const char *text, const char *target)
{
    size_t n = strlen(target);
    for (const char *k = text ? strstr(text, "supersede") : NULL; k;
         k = strstr(k + 1, "supersede")) {
        const char *s = k + 9;
        if (*s == 's' || *s == 'd') s++;
        if (*s++ != ' ' || strncmp(s, target, n) != 0) continue;
        char c = s[n];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '/'))
            return 1;
    }
    return 0;
}

/*
 * The access view keeps a reference whose target still occurs in readable
 * text, but "supersedes" may have stood only in a withheld portion (the
 * paper being named elsewhere too), so the statement is looked for again.
 */
int dc_links_says_supersedes(const dc_doc *v, const char *target)
{
    if (says_supersedes(v->title, target) || says_supersedes(v->source_note, target))
        return 1;
    for (size_t i = 0; i < v->n_portions; i++)
        if (says_supersedes(v->portions[i].text, target)) return 1;
    for (size_t i = 0; i < v->n_footnotes; i++)
        if (says_supersedes(v->footnotes[i].text, target)) return 1;
    return 0;
}

static dc_rc emit_ref(const dc_links_env *env, const dc_doc *doc, const dc_ref *r,
                      int incoming, const dc_doc *other, dc_links_ref_cb cb, void *ctx)
{
    const dc_doc *target = NULL;
    dc_rc rc = incoming ? DC_OK : dc_links_resolve(env, doc, r, &target);
    if (rc) {
        env->done(env->ctx, target);
        return rc;
    }
    const dc_doc *to = incoming ? other : target;
    const char *relation = r->relation;
    if (relation && strcmp(relation, "supersedes") == 0 && r->target &&
        !dc_links_says_supersedes(incoming ? other : doc, r->target))
        relation = NULL;
    dc_links_ref l = {.incoming = incoming, .kind = r->kind, .target = r->target,
                      .relation = relation, .detail = r->detail,
                      .id = to ? to->id : NULL, .title = to ? to->title : NULL};
    rc = cb(ctx, &l);
    env->done(env->ctx, target);
    return rc;
}

const dc_ref *dc_links_cites_number(const dc_doc *v, const char *number)
{
    for (size_t i = 0; i < v->n_refs; i++) {
        const dc_ref *r = &v->refs[i];
        if (r->kind && r->target && strcmp(r->target, number) == 0 &&
            (strcmp(r->kind, "document") == 0 || strcmp(r->kind, "footnote") == 0))
            return r;
    }
    return NULL;
}

/*
 * Incoming references: the index's cites: key finds candidates (documents
 * of the same collection citing the number) as the reader; each is then
 * confirmed on the reader's view, so a citation standing only in text the
 * reader may not read is not shown.
 */
static dc_rc incoming_refs(const dc_links_env *env, const dc_doc *doc, dc_links_ref_cb cb,
                           void *ctx)
{
    if (!doc->number || !doc->collection) return DC_OK;
    dc_strv ids = {0};
    dc_rc rc = env->cites(env->ctx, DC_LINKS_FOR_REFS, doc->number, doc->collection,
                          REFS_MAX_INCOMING, &ids);
    for (size_t i = 0; !rc && i < ids.n; i++) {
        if (strcmp(ids.v[i], doc->id) == 0) continue;
        const dc_doc *v = NULL;
        rc = env->view(env->ctx, ids.v[i], &v);
        const dc_ref *r = rc || !v ? NULL : dc_links_cites_number(v, doc->number);
        if (r) rc = emit_ref(env, doc, r, 1, v, cb, ctx);
        env->done(env->ctx, v);
    }
    dc_strv_release(&ids);
    return rc;
}

dc_rc dc_links_refs(const dc_links_env *env, const dc_doc *doc, dc_links_ref_cb cb, void *ctx)
{
    dc_rc rc = DC_OK;
    for (size_t i = 0; !rc && i < doc->n_refs; i++)
        rc = emit_ref(env, doc, &doc->refs[i], 0, NULL, cb, ctx);
    if (!rc) rc = incoming_refs(env, doc, cb, ctx);
    return rc;
}
