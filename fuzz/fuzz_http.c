/*
 * Fuzz target: what the HTTP front end parses of untrusted request data,
 * without a socket.  An input is a Content-Type value, a newline, then
 * the request body.  The body is parsed as the server and the JSON API
 * parse it: as an urlencoded form (dc_http_form_parse, then each value
 * as a session/CSRF token, a comma-separated compartment list, and
 * escaped for HTML and URLs), as multipart/form-data (the fields the
 * server and the upload read), and as the JSON body of POST /api/session
 * and .../withhold|mark (cJSON_ParseWithLength, string fields,
 * dc_http_compartments_json).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "server_int.h"

/* Aborts unless out is a NUL-terminated string shorter than size. */
static void check_str(const char *out, size_t size)
{
    if (!memchr(out, '\0', size)) abort();
}

static void form(const char *body, size_t len)
{
    dc_strv f = {0};
    if (dc_http_form_parse(body, len, &f) == DC_OK) {
        if (f.n % 2) abort();
        for (size_t i = 0; i < f.n; i++) {
            const char *v = f.v[i];
            (void)dc_http_token_ok(v);
            char store[4096];
            const char *comps[DC_HTTP_API_MAX_COMPARTMENTS];
            int n = dc_http_compartments_split(v, store, sizeof store, comps);
            if (n > DC_HTTP_API_MAX_COMPARTMENTS) abort();
            for (int k = 0; k < n; k++)
                if (!comps[k][0] || comps[k] < store || comps[k] >= store + sizeof store) abort();
            dc_buf b;
            dc_buf_init(&b, 0);
            dc_buf_xml_escape(&b, v, strlen(v), DC_XML_HTML | DC_XML_NL_KEEP);
            dc_http_url_encode(&b, v, (int)(i & 1));
            dc_buf_release(&b);
        }
    }
    dc_strv_release(&f);
}

static void multipart(const char *ct, const char *body, size_t len)
{
    dc_http_req req = {.method = "POST", .path = "/api/documents", .content_type = ct,
                       .body = body, .body_len = len};
    static const struct {
        const char *name;
        size_t size;
    } fields[] = {{"csrf", DC_HTTP_TOKEN_HEX + 2}, {"collection", 256}, {"released", 2},
                  {"file", 64}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char out[256];
        if (dc_http_multipart_field(&req, fields[i].name, out, fields[i].size))
            check_str(out, fields[i].size);
    }
}

static void json(const char *body, size_t len)
{
    cJSON *j = cJSON_ParseWithLength(body, len);
    if (j && cJSON_IsObject(j)) {
        static const char *names[] = {"name", "password", "portion", "reason", "classification"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, names[i]);
            if (cJSON_IsString(v)) {
                (void)strlen(v->valuestring);
                if (i == 4) (void)dc_level_parse(v->valuestring);
            }
        }
        const char *comps[DC_HTTP_API_MAX_COMPARTMENTS];
        int n = dc_http_compartments_json(j, comps);
        if (n > DC_HTTP_API_MAX_COMPARTMENTS) abort();
        for (int k = 0; k < n; k++) (void)strlen(comps[k]);
    }
    cJSON_Delete(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > DC_HTTP_MAX_FORM) return 0;
    const char *nl = memchr(data, '\n', size);
    size_t ct_len = nl ? (size_t)(nl - (const char *)data) : 0;
    size_t off = nl ? ct_len + 1 : 0;
    /* The server hands handlers NUL-terminated copies of both. */
    char *ct = malloc(ct_len + 1);
    char *body = malloc(size - off + 1);
    if (ct && body) {
        memcpy(ct, data, ct_len);
        ct[ct_len] = '\0';
        memcpy(body, data + off, size - off);
        body[size - off] = '\0';
        form(body, size - off);
        multipart(ct_len ? ct : NULL, body, size - off);
        json(body, size - off);
    }
    free(ct);
    free(body);
    return 0;
}
