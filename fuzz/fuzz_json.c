/*
 * Fuzz target: the JSON reader (src/util/json.c) that reads every stored
 * version, volume and review record.  What it accepts, cJSON accepts and
 * reads the same; a value it read and wrote again (dc_json_value) reads
 * back to the same text; a document it accepts (dc_doc_from_json) writes
 * JSON that reads back to the same document, byte for byte, and so does
 * the shorter form the store keeps (dc_doc_json_write_stored).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "model/model_int.h"

static int same(const dc_jv *v, const cJSON *c)
{
    if ((v->key || c->string) && (!v->key || !c->string || strcmp(v->key, c->string) != 0))
        return 0;
    switch (v->type) {
    case DC_JV_NULL: return cJSON_IsNull(c);
    case DC_JV_FALSE: return cJSON_IsFalse(c);
    case DC_JV_TRUE: return cJSON_IsTrue(c);
    /* NaN never comes out of a JSON number; -0 == 0 is fine */
    case DC_JV_NUMBER: return cJSON_IsNumber(c) && c->valuedouble == v->num;
    case DC_JV_STRING: return cJSON_IsString(c) && strcmp(c->valuestring, v->str) == 0;
    default: break;
    }
    if (v->type == DC_JV_ARRAY ? !cJSON_IsArray(c) : !cJSON_IsObject(c)) return 0;
    if (cJSON_GetArraySize(c) != v->n) return 0;
    const cJSON *ce = c->child;
    for (const dc_jv *e = v->child; e; e = e->next, ce = ce->next)
        if (!ce || !same(e, ce)) return 0;
    return 1;
}

static void write_value(const dc_jv *v, dc_buf *b)
{
    dc_json j;
    dc_buf_init(b, 0);
    dc_json_init(&j, b, 0);
    dc_json_value(&j, v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    dc_jdoc d;
    if (dc_jparse(text, size, &d) == DC_OK) {
        cJSON *c = cJSON_ParseWithLength(text, size);
        if (!c || !same(d.root, c)) abort();
        cJSON_Delete(c);
        /* written and read again: the same text (strings with a NUL cut
         * short are written as read, so this holds for them too) */
        dc_buf a, b;
        write_value(d.root, &a);
        dc_jdoc d2;
        if (a.rc == DC_OK) {
            if (dc_jparse(a.p, a.len, &d2) != DC_OK) abort();
            write_value(d2.root, &b);
            if (b.rc == DC_OK && (b.len != a.len || memcmp(a.p, b.p, a.len) != 0)) abort();
            dc_buf_release(&b);
            dc_jdoc_free(&d2);
        }
        dc_buf_release(&a);
        dc_jdoc_free(&d);
    }
    dc_doc *doc = NULL;
    if (dc_doc_from_json(text, size, &doc) == DC_OK) {
        char *j1 = NULL, *j2 = NULL;
        dc_doc *back = NULL;
        if (dc_doc_to_json(doc, 0, &j1) == DC_OK) {
            if (dc_doc_from_json(j1, strlen(j1), &back) != DC_OK) abort();
            if (dc_doc_to_json(back, 0, &j2) == DC_OK && strcmp(j1, j2) != 0) abort();
            /* the stored form reads back to the same document too */
            dc_buf sb;
            dc_buf_init(&sb, 0);
            dc_doc_json_write_stored(doc, &sb);
            dc_doc *st = NULL;
            char *j3 = NULL;
            if (!sb.rc) {
                if (sb.len > strlen(j1) || dc_doc_from_json(sb.p, sb.len, &st) != DC_OK) abort();
                if (dc_doc_to_json(st, 0, &j3) == DC_OK && strcmp(j1, j3) != 0) abort();
            }
            free(j3);
            dc_doc_free(st);
            dc_buf_release(&sb);
        }
        free(j1);
        free(j2);
        dc_doc_free(back);
        dc_doc_free(doc);
    }
    dc_volume *vol = NULL;
    if (dc_volume_from_json(text, size, &vol) == DC_OK) dc_volume_free(vol);
    return 0;
}
