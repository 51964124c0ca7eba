/* Unit tests: src/render (text edition and JSON). */
#include <stdlib.h>

#include "render/render.h"
#include "model/model_int.h"
#include "test.h"

static dc_doc *sample(void)
{
    dc_doc *d = dc_doc_new();
    dc_str_set(&d->id, "frus1950v07/d1");
    dc_str_set(&d->number, "1");
    dc_str_set(&d->title, "Memorandum");
    dc_str_set(&d->title_note, "0");
    dc_str_set(&d->date, "1950-10-07");
    dc_str_set(&d->classification, "SECRET");
    dc_str_set(&d->source_note, "Source: Central Files, 795.00/10-750. Secret.");
    dc_str_set(&d->source_note_n, "0");
    dc_str_set(&d->source_note_label, "1");
    dc_strv_push(&d->file_numbers, "795.00/10-750");
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->page, "907");
    dc_str_set(&p->text, "all personal questions, he said.");
    dc_portion_add_mark(p, DC_MARK_PAGE, 13, "908");
    dc_portion_add_mark(p, DC_MARK_NOTE, 32, "1");
    p = dc_doc_add_portion(d, "item");
    dc_str_set(&p->label, "a");
    dc_str_set(&p->page, "908"); /* continues the page begun above: no new marker */
    dc_str_set(&p->text, "Maintain forces.");
    p = dc_doc_add_portion(d, "item");
    dc_str_set(&p->label, "\xE2\x80\xA2");
    dc_str_set(&p->text, "A bullet.");
    dc_portion_add_mark(p, DC_MARK_PAGE, 0, "");
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "1");
    dc_str_set(&f->label, "2");
    dc_str_set(&f->text, "Document 237.");
    f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "2");
    return d;
}

static void test_text(void)
{
    dc_doc *d = sample();
    dc_buf b;
    dc_buf_init(&b, 0);
    CHECK_INT(dc_render_text(d, &b), DC_OK);
    const char *want =
        "1. Memorandum[0]\n"
        "Document: frus1950v07/d1\n"
        "Date: 1950-10-07\n"
        "Classification: SECRET\n"
        "File numbers: 795.00/10-750\n"
        "\n"
        "[Page 907]\n\n"
        "all personal [Page 908] questions, he said.[1]\n\n"
        "a. Maintain forces.\n\n"
        "===\n\n"
        "\xE2\x80\xA2 A bullet.\n\n"
        "Notes\n\n"
        "[0] 1. Source: Central Files, 795.00/10-750. Secret.\n"
        "[1] 2. Document 237.\n"
        "[2] (note not in the source)\n";
    CHECK_STR(b.p, want);
    dc_buf_release(&b);

    /* The output cap is honoured: DC_LIMIT, never a partial success. */
    dc_buf_init(&b, 40);
    CHECK_INT(dc_render_text(d, &b), DC_LIMIT);
    dc_buf_release(&b);
    dc_doc_free(d);
}

static void test_json(void)
{
    dc_doc *d = sample();
    dc_buf b;
    dc_buf_init(&b, 0);
    CHECK_INT(dc_render_json(d, &b), DC_OK);
    CHECK(b.len > 0 && b.p[b.len - 1] == '\n');
    dc_doc *e = NULL;
    CHECK_INT(dc_doc_from_json(b.p, b.len, &e), DC_OK);
    CHECK_STR(e->portions[0].marks[0].value, "908");
    CHECK_STR(e->footnotes[0].label, "2");
    dc_doc_free(e);
    dc_buf_release(&b);
    dc_doc_free(d);
}

/* ---- the HTML edition ------------------------------------------------ */

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "access/access.h"

/* Links "document" refs 237 and 13 (with an href that needs escaping),
 * nothing else; counts its calls. */
static int html_calls;
static int test_href(void *ctx, const dc_ref *ref, dc_buf *href)
{
    (void)ctx;
    html_calls++;
    if (strcmp(ref->kind, "document") != 0) return 0;
    if (strcmp(ref->target, "237") != 0 && strcmp(ref->target, "13") != 0) return 0;
    dc_buf_printf(href, "/documents/v/d%s?a=1&b=2", ref->target);
    return 1;
}

static const char H_TEXT[] = "Before page after. See Document 237 and NSC 5817, and "
                             "Documents 12 and 13.\nSecond [1 line of source text not "
                             "declassified] end";

static dc_doc *html_sample(void)
{
    dc_doc *d = dc_doc_new();
    dc_str_set(&d->id, "v/d1");
    dc_str_set(&d->collection, "v");
    dc_str_set(&d->number, "1");
    dc_str_set(&d->title, "Plan <script>alert('x')</script> & \"Co\"");
    dc_str_set(&d->title_note, "0");
    dc_str_set(&d->date, "1959-10-08");
    dc_str_set(&d->classification, "SECRET");
    dc_str_set(&d->release_status, "released");
    dc_str_set(&d->release_date, "2001-02-03");
    dc_str_set(&d->source_note, "Source: files. Secret.");
    dc_str_set(&d->source_note_n, "0");
    dc_strv_push(&d->file_numbers, "795.00/10-750");
    dc_strv_push(&d->file_numbers, "Lot 63 D 351");
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->label, "1");
    dc_str_set(&p->page, "11");
    dc_str_set(&p->classification, "TOP SECRET");
    dc_strv_push(&p->compartments, "ANNEX-F");
    dc_str_set(&p->text, H_TEXT);
    size_t nsc = (size_t)(strstr(H_TEXT, "NSC 5817") - H_TEXT);
    dc_portion_add_mark(p, DC_MARK_PAGE, 12, "12");          /* "Before page |after" */
    dc_portion_add_mark(p, DC_MARK_NOTE, nsc + 3, "7");      /* inside "NSC| 5817" */
    dc_portion_add_mark(p, DC_MARK_NOTE, strlen(H_TEXT), "1");
    dc_portion_add_mark(p, DC_MARK_NOTE, strlen(H_TEXT), "a b"); /* missing note */
    p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->text, "The xylophone plan stays secret.");
    dc_str_set(&p->page, "12");
    p->withheld = 1;
    dc_str_set(&p->withheld_reason, "25X1");
    p = dc_doc_add_portion(d, "item");
    dc_str_set(&p->label, "\xE2\x80\xA2");
    dc_str_set(&p->text, "Bullet \x01 with a bad byte \xFF here.");
    dc_portion_add_mark(p, DC_MARK_PAGE, 0, "");
    p = dc_doc_add_portion(d, "heading");
    dc_str_set(&p->text, "Again");
    dc_portion_add_mark(p, DC_MARK_PAGE, 0, "12"); /* the same page again: page-12-2 */
    p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->id, "p1"); /* a duplicate portion id: p1-2 */
    dc_str_set(&p->text, "Document 237 again.");
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "1");
    dc_str_set(&f->label, "2");
    dc_str_set(&f->text, "See Document 237 & <b>.");
    f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "a b"); /* a marker that exists but has no note text */
    dc_doc_add_ref(d, "document", "237", NULL, NULL);
    dc_doc_add_ref(d, "document", "12", NULL, NULL);
    dc_doc_add_ref(d, "document", "13", NULL, NULL);
    dc_doc_add_ref(d, "paper", "NSC 5817", NULL, NULL);
    return d;
}

/* Parses html as XML (no network, no entity expansion); checks that ids
 * are unique and that every in-page link has its target.  Returns the
 * number of ids, or -1 if it does not parse. */
static void walk(xmlNode *n, dc_strv *ids, dc_strv *hrefs)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        xmlChar *id = xmlGetProp(n, (const xmlChar *)"id");
        if (id) {
            CHECK(!dc_strv_contains(ids, (const char *)id));
            dc_strv_push(ids, (const char *)id);
            xmlFree(id);
        }
        xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
        if (href && href[0] == '#') dc_strv_push(hrefs, (const char *)href + 1);
        if (href) xmlFree(href);
        CHECK(xmlStrcmp(n->name, (const xmlChar *)"script") != 0);
        CHECK(xmlStrcmp(n->name, (const xmlChar *)"style") != 0);
        for (xmlAttr *a = n->properties; a; a = a->next)
            CHECK(xmlStrncmp(a->name, (const xmlChar *)"on", 2) != 0);
        walk(n->children, ids, hrefs);
    }
}

static int check_xml(const char *html, size_t len)
{
    xmlDoc *x = xmlReadMemory(html, (int)len, "render.xml", "UTF-8",
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    CHECK(x != NULL);
    if (!x) return -1;
    dc_strv ids = {0}, hrefs = {0};
    xmlNode *root = xmlDocGetRootElement(x);
    CHECK_STR((const char *)root->name, "article");
    walk(root, &ids, &hrefs);
    for (size_t i = 0; i < hrefs.n; i++) {
        CHECK(dc_strv_contains(&ids, hrefs.v[i]));
        if (!dc_strv_contains(&ids, hrefs.v[i])) fprintf(stderr, "  no id %s\n", hrefs.v[i]);
    }
    int n = (int)ids.n;
    dc_strv_release(&ids);
    dc_strv_release(&hrefs);
    xmlFreeDoc(x);
    return n;
}

#define HAS(h, s) CHECK(strstr((h), (s)) != NULL)
#define HASNT(h, s) CHECK(strstr((h), (s)) == NULL)

static void test_html(void)
{
    dc_doc *d = html_sample();
    dc_access_reader pub = {.is_public = 1};
    dc_doc *v = NULL;
    CHECK_INT(dc_access_view(&pub, d, &v, NULL), DC_OK);
    dc_render_html_opts opts = {test_href, NULL, NULL, NULL};
    dc_buf b;
    dc_buf_init(&b, 0);
    html_calls = 0;
    CHECK_INT(dc_render_html(v, &opts, &b), DC_OK);
    const char *h = b.p;
    CHECK(strncmp(h, "<article class=\"dc-doc\" data-id=\"v/d1\">\n<header class=\"dc-head\">\n"
                     "<div class=\"dc-banner dc-level-secret\">SECRET</div>\n",
                  strlen("<article class=\"dc-doc\" data-id=\"v/d1\">\n<header class=\"dc-head\">\n"
                         "<div class=\"dc-banner dc-level-secret\">SECRET</div>\n")) == 0);
    /* the title: escaped, the number, the title note linked to the source note */
    HAS(h, "<h1 class=\"dc-title\"><span class=\"dc-number\">1.</span> Plan &lt;script&gt;"
           "alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;<sup class=\"dc-fnref\" "
           "id=\"fnref-0\"><a href=\"#fn-0\">0</a></sup></h1>");
    HASNT(h, "<script");
    HAS(h, "<p class=\"dc-date\"><time datetime=\"1959-10-08\">October 8, 1959</time></p>");
    HAS(h, "<p class=\"dc-release\">Released <time datetime=\"2001-02-03\">February 3, "
           "2001</time></p>");
    /* the first portion: page from p->page, label, portion mark, page mark
     * mid-text, a link split by a note marker, links and a redaction run */
    HAS(h, "<div class=\"dc-portion dc-paragraph\" id=\"p1\" data-portion=\"p1\"><span "
           "class=\"dc-page\" id=\"page-11\" data-page=\"11\">[Page 11]</span><span "
           "class=\"dc-label\">1.</span> <span class=\"dc-pmark\">(TS/ANNEX-F)</span> "
           "Before page <span class=\"dc-page\" id=\"page-12\" data-page=\"12\">[Page "
           "12]</span>after. See <a class=\"dc-xref\" href=\"/documents/v/d237?a=1&amp;b=2\" "
           "data-ref=\"237\">Document 237</a> and NSC<sup class=\"dc-fnref\">7</sup> 5817, "
           "and Documents 12 and <a class=\"dc-xref\" href=\"/documents/v/d13?a=1&amp;b=2\" "
           "data-ref=\"13\">13</a>.<br/>Second <span class=\"dc-redaction\">[1 line of "
           "source text not declassified]</span> end<sup class=\"dc-fnref\" "
           "id=\"fnref-1\"><a href=\"#fn-1\">2</a></sup><sup class=\"dc-fnref\">a b</sup>"
           "</div>");
    /* the withheld portion: the gap line only (the view carries no code) */
    HASNT(h, "xylophone");
    HASNT(h, "stays secret");
    HAS(h, "<div class=\"dc-portion dc-gap\" id=\"p2\" data-portion=\"p2\"><span "
           "class=\"dc-redaction\">[less than 1 line of source text "
           "not declassified]</span></div>");
    /* unnumbered page, bullet label without a period, bad bytes replaced */
    HAS(h, "<div class=\"dc-portion dc-item\" id=\"p3\" data-portion=\"p3\"><span "
           "class=\"dc-page\">[Page]</span><span class=\"dc-label\">\xE2\x80\xA2</span> "
           "Bullet  with a bad byte \xEF\xBF\xBD here.</div>");
    /* duplicate ids get suffixes */
    HAS(h, "<span class=\"dc-page\" id=\"page-12-2\" data-page=\"12\">[Page 12]</span>Again");
    HAS(h, "<div class=\"dc-portion dc-paragraph\" id=\"p1-2\" data-portion=\"p1\">");
    /* the notes: source note first, back links, no note without text */
    HAS(h, "<section class=\"dc-notes\">\n<h2>Notes</h2>\n<ol class=\"dc-fns\">\n"
           "<li class=\"dc-fn\" id=\"fn-0\"><span class=\"dc-fnlabel\">0.</span> Source: "
           "files. Secret. <a class=\"dc-fnback\" href=\"#fnref-0\" aria-label=\"back to "
           "text\">\xE2\x86\xA9</a></li>\n<li class=\"dc-fn\" id=\"fn-1\"><span "
           "class=\"dc-fnlabel\">2.</span> See <a class=\"dc-xref\" "
           "href=\"/documents/v/d237?a=1&amp;b=2\" data-ref=\"237\">Document 237</a> &amp; "
           "&lt;b&gt;. <a class=\"dc-fnback\" href=\"#fnref-1\" aria-label=\"back to "
           "text\">\xE2\x86\xA9</a></li>\n</ol>\n</section>\n</article>\n");
    HASNT(h, "fn-a_b");
    /* each reference is resolved once: 237, 12, 13 and NSC 5817 */
    CHECK_INT(html_calls, 4);
    CHECK(check_xml(b.p, b.len) >= 12);
    dc_buf_release(&b);

    /* The unfiltered document: a withheld portion never shows its text. */
    dc_buf_init(&b, 0);
    CHECK_INT(dc_render_html(d, NULL, &b), DC_OK);
    HASNT(b.p, "xylophone");
    HAS(b.p, "data-reason=\"25X1\">[less than 1 line of source text not declassified]</span>");
    HASNT(b.p, "dc-xref"); /* no opts: no links */
    HAS(b.p, "<p class=\"dc-filenos\">795.00/10-750; Lot 63 D 351</p>");
    CHECK(check_xml(b.p, b.len) > 0);
    dc_buf_release(&b);

    /* Bad input: no document or buffer; a capped buffer is DC_LIMIT. */
    dc_buf_init(&b, 0);
    CHECK_INT(dc_render_html(NULL, &opts, &b), DC_MISUSE);
    CHECK_INT(dc_render_html(d, &opts, NULL), DC_MISUSE);
    dc_buf_release(&b);
    dc_buf_init(&b, 200);
    CHECK_INT(dc_render_html(v, &opts, &b), DC_LIMIT);
    dc_buf_release(&b);
    dc_doc_free(v);
    dc_doc_free(d);

    /* An empty document, odd dates and a gap-only portion from the source. */
    d = dc_doc_new();
    dc_str_set(&d->date, "1959-10");
    dc_str_set(&d->classification, "LIMITED OFFICIAL USE");
    dc_str_set(&d->release_status, "under-review");
    dc_buf_init(&b, 0);
    CHECK_INT(dc_render_html(d, NULL, &b), DC_OK);
    HAS(b.p, "<article class=\"dc-doc\" data-id=\"\">");
    HAS(b.p, "<div class=\"dc-banner dc-level-top-secret\">LIMITED OFFICIAL USE</div>");
    HAS(b.p, "<h1 class=\"dc-title\">(untitled)</h1>");
    HAS(b.p, "<time datetime=\"1959-10\">1959-10</time>");
    HAS(b.p, "<p class=\"dc-release\">Under review</p>");
    HASNT(b.p, "dc-notes");
    HASNT(b.p, "dc-filenos");
    CHECK(check_xml(b.p, b.len) == 0);
    dc_buf_reset(&b);
    dc_str_set(&d->date, "1959-13-45<x>");
    dc_str_set(&d->classification, NULL);
    dc_str_set(&d->release_status, NULL);
    dc_portion *p = dc_doc_add_portion(d, "gap");
    dc_str_set(&p->text, "[3 lines of source text not declassified]");
    dc_gap *g = dc_doc_add_gap(d);
    dc_str_set(&g->anchor, "p1");
    p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->text, "[not a gap] text");
    g = dc_doc_add_gap(d);
    dc_str_set(&g->anchor, "p2");
    CHECK_INT(dc_render_html(d, NULL, &b), DC_OK);
    HAS(b.p, "<p class=\"dc-date\">1959-13-45&lt;x&gt;</p>");
    /* no marking: no banner is invented */
    CHECK(strstr(b.p, "dc-banner") == NULL);
    HAS(b.p, "<p class=\"dc-release\">Classified</p>");
    HAS(b.p, "<div class=\"dc-portion dc-gap\" id=\"p1\" data-portion=\"p1\"><span "
             "class=\"dc-redaction\">[3 lines of source text not declassified]</span></div>");
    HAS(b.p, "<div class=\"dc-portion dc-paragraph\" id=\"p2\" data-portion=\"p2\">[not a "
             "gap] text</div>");
    CHECK(check_xml(b.p, b.len) == 2);
    dc_buf_release(&b);
    dc_doc_free(d);
}

/* ---- citations and TEI ---------------------------------------------------- */

#include <unistd.h>

#include "ingest/ingest.h"

#define VOL18 "Foreign Relations of the United States, 1958\xE2\x80\x93" "1960, Japan; Korea, Volume XVIII"

static dc_doc *frus_doc(void)
{
    dc_doc *d = dc_doc_new();
    dc_str_set(&d->id, "frus1958-60v18/d279");
    dc_str_set(&d->collection, "frus1958-60v18");
    dc_str_set(&d->local_id, "d279");
    dc_str_set(&d->number, "279");
    dc_str_set(&d->title, "National Security Council Report");
    dc_str_set(&d->date, "1959-07-01");
    dc_str_set(&d->volume_title, VOL18);
    dc_str_set(&d->release_status, "released");
    dc_portion *p = dc_doc_add_portion(d, "paragraph");
    dc_str_set(&p->page, "572");
    dc_str_set(&p->text, "NSC 5907 is adopted.");
    p = dc_doc_add_portion(d, "item");
    dc_str_set(&p->label, "A");
    dc_str_set(&p->text, "NSC 5817 & <the> \"annex\" of 1958");
    dc_portion_add_mark(p, DC_MARK_NOTE, 8, "1");
    dc_portion_add_mark(p, DC_MARK_PAGE, 10, "573");
    p = dc_doc_add_portion(d, "table");
    dc_str_set(&p->text, "Army | 630,000");
    p = dc_doc_add_portion(d, "heading");
    dc_str_set(&p->text, "Annex F");
    p = dc_doc_add_portion(d, "signature");
    dc_str_set(&p->text, "James S. Lay, Jr.");
    dc_footnote *f = dc_doc_add_footnote(d);
    dc_str_set(&f->n, "1");
    dc_str_set(&f->text, "Document 237.");
    return d;
}

static dc_doc *plain_doc(void)
{
    dc_doc *d = dc_doc_new();
    dc_str_set(&d->id, "seeds/000_5785f422be2d1253");
    dc_str_set(&d->collection, "seeds");
    dc_str_set(&d->local_id, "000_5785f422be2d1253");
    dc_str_set(&d->number, "279");
    dc_str_set(&d->title, "Report on {R&D} 100%\n costs");
    return d;
}

typedef dc_rc (*render_fn)(const dc_doc *, const dc_volume *, dc_buf *);

static void check_render_in(render_fn fn, const dc_doc *d, const dc_volume *v, const char *want)
{
    dc_buf b;
    dc_buf_init(&b, 0);
    CHECK_INT(fn(d, v, &b), DC_OK);
    CHECK_STR(b.p ? b.p : "", want);
    dc_buf_release(&b);
}

static void check_render(render_fn fn, const dc_doc *d, const char *want)
{
    dc_buf b;
    dc_buf_init(&b, 0);
    CHECK_INT(fn(d, NULL, &b), DC_OK);
    CHECK_STR(b.p ? b.p : "", want);
    dc_buf_release(&b);
}

static void test_cite(void)
{
    dc_doc *d = frus_doc();
    check_render(dc_render_cite, d,
                 "\"National Security Council Report,\" July 1, 1959, in " VOL18 ", Document 279, "
                 "https://history.state.gov/historicaldocuments/frus1958-60v18/d279.\n");
    check_render(dc_render_bibtex, d,
                 "@incollection{frus1958-60v18:d279,\n"
                 "  title = {{National Security Council Report}},\n"
                 "  booktitle = {{Foreign Relations of the United States, 1958--1960, Japan; "
                 "Korea, Volume XVIII}},\n"
                 "  chapter = {Document 279},\n"
                 "  note = {Dated July 1, 1959},\n"
                 "  url = {https://history.state.gov/historicaldocuments/frus1958-60v18/d279}\n"
                 "}\n");
    check_render(dc_render_ris, d,
                 "TY  - CHAP\n"
                 "TI  - National Security Council Report\n"
                 "BT  - " VOL18 "\n"
                 "SE  - Document 279\n"
                 "DA  - 1959/07/01/\n"
                 "UR  - https://history.state.gov/historicaldocuments/frus1958-60v18/d279\n"
                 "DB  - declass\n"
                 "AN  - frus1958-60v18/d279\n"
                 "ER  - \n");
    /* In a stored volume: editors, publisher, place, year and pages. */
    dc_volume *v = dc_volume_new();
    dc_str_set(&v->id, "frus1958-60v18");
    dc_str_set(&v->title, VOL18);
    dc_strv_push(&v->editors, "Edward C. Keefer");
    dc_strv_push(&v->editors, "David W. Mabon");
    dc_str_set(&v->publisher, "United States Government Printing Office");
    dc_str_set(&v->pub_place, "Washington");
    dc_str_set(&v->pub_date, "1994");
    dc_strv_push(&d->pages, "572");
    dc_strv_push(&d->pages, "573");
    check_render_in(dc_render_cite, d, v,
                    "\"National Security Council Report,\" July 1, 1959, in " VOL18
                    ", eds. Edward C. Keefer and David W. Mabon (Washington: United States "
                    "Government Printing Office, 1994), Document 279, pp. 572\xE2\x80\x93" "573, "
                    "https://history.state.gov/historicaldocuments/frus1958-60v18/d279.\n");
    check_render_in(dc_render_bibtex, d, v,
                    "@incollection{frus1958-60v18:d279,\n"
                    "  title = {{National Security Council Report}},\n"
                    "  booktitle = {{Foreign Relations of the United States, 1958--1960, Japan; "
                    "Korea, Volume XVIII}},\n"
                    "  editor = {Edward C. Keefer and David W. Mabon},\n"
                    "  publisher = {United States Government Printing Office},\n"
                    "  address = {Washington},\n"
                    "  year = {1994},\n"
                    "  chapter = {Document 279},\n"
                    "  pages = {572--573},\n"
                    "  note = {Dated July 1, 1959},\n"
                    "  url = {https://history.state.gov/historicaldocuments/frus1958-60v18/d279}\n"
                    "}\n");
    check_render_in(dc_render_ris, d, v,
                    "TY  - CHAP\n"
                    "TI  - National Security Council Report\n"
                    "BT  - " VOL18 "\n"
                    "ED  - Edward C. Keefer\n"
                    "ED  - David W. Mabon\n"
                    "PB  - United States Government Printing Office\n"
                    "CY  - Washington\n"
                    "PY  - 1994\n"
                    "SE  - Document 279\n"
                    "SP  - 572\n"
                    "EP  - 573\n"
                    "DA  - 1959/07/01/\n"
                    "UR  - https://history.state.gov/historicaldocuments/frus1958-60v18/d279\n"
                    "DB  - declass\n"
                    "AN  - frus1958-60v18/d279\n"
                    "ER  - \n");
    dc_str_set(&d->title, "Say \"<no>\" & go");
    check_render_in(dc_render_highwire, d, v,
                    "<meta name=\"citation_title\" content=\"Say &quot;&lt;no&gt;&quot; &amp; go\">\n"
                    "<meta name=\"citation_inbook_title\" content=\"" VOL18 "\">\n"
                    "<meta name=\"citation_book_title\" content=\"" VOL18 "\">\n"
                    "<meta name=\"citation_editor\" content=\"Edward C. Keefer\">\n"
                    "<meta name=\"citation_editor\" content=\"David W. Mabon\">\n"
                    "<meta name=\"citation_publisher\" content=\"United States Government "
                    "Printing Office\">\n"
                    "<meta name=\"citation_publication_date\" content=\"1994\">\n"
                    "<meta name=\"citation_firstpage\" content=\"572\">\n"
                    "<meta name=\"citation_lastpage\" content=\"573\">\n"
                    "<meta name=\"citation_date\" content=\"1959/07/01\">\n"
                    "<meta name=\"citation_public_url\" content=\"https://history.state.gov/"
                    "historicaldocuments/frus1958-60v18/d279\">\n"
                    "<meta name=\"citation_language\" content=\"en\">\n");
    dc_str_set(&d->title, "National Security Council Report");
    dc_strv_release(&d->pages);
    dc_volume_free(v);
    /* A volume title but no FRUS address: no URL is made up. */
    dc_str_set(&d->collection, "myvolume");
    check_render(dc_render_cite, d,
                 "\"National Security Council Report,\" July 1, 1959, in " VOL18
                 ", Document 279.\n");
    dc_str_set(&d->collection, "frus1958-60v18");
    dc_str_set(&d->local_id, "ch1");
    check_render(dc_render_cite, d,
                 "\"National Security Council Report,\" July 1, 1959, in " VOL18
                 ", Document 279.\n");
    dc_doc_free(d);

    /* Without volume metadata: title, date, number, collection, id. */
    d = plain_doc();
    check_render(dc_render_cite, d,
                 "\"Report on {R&D} 100% costs,\" n.d., Document 279, collection seeds, "
                 "declass record seeds/000_5785f422be2d1253.\n");
    check_render(dc_render_bibtex, d,
                 "@misc{seeds:000_5785f422be2d1253,\n"
                 "  title = {{Report on \\{R\\&D\\} 100\\% costs}},\n"
                 "  number = {279},\n"
                 "  howpublished = {declass, collection seeds, record "
                 "seeds/000\\_5785f422be2d1253}\n"
                 "}\n");
    check_render(dc_render_ris, d,
                 "TY  - GEN\n"
                 "TI  - Report on {R&D} 100% costs\n"
                 "SE  - Document 279\n"
                 "N1  - declass collection seeds\n"
                 "DB  - declass\n"
                 "AN  - seeds/000_5785f422be2d1253\n"
                 "ER  - \n");
    /* Dates: partial, bad (printed as stored), and a title ending in "?". */
    dc_str_set(&d->title, "Why Korea?");
    dc_str_set(&d->number, NULL);
    dc_str_set(&d->date, "1959-07");
    check_render(dc_render_cite, d,
                 "\"Why Korea?\" July 1959, collection seeds, declass record "
                 "seeds/000_5785f422be2d1253.\n");
    dc_str_set(&d->date, "1959");
    check_render(dc_render_cite, d,
                 "\"Why Korea?\" 1959, collection seeds, declass record "
                 "seeds/000_5785f422be2d1253.\n");
    dc_str_set(&d->date, "1959-13-45");
    check_render(dc_render_cite, d,
                 "\"Why Korea?\" 1959-13-45, collection seeds, declass record "
                 "seeds/000_5785f422be2d1253.\n");
    check_render(dc_render_ris, d,
                 "TY  - GEN\nTI  - Why Korea?\nN1  - declass collection seeds\n"
                 "DB  - declass\nAN  - seeds/000_5785f422be2d1253\nER  - \n");
    dc_doc_free(d);

    /* An empty document: nothing invented, nothing crashes. */
    d = dc_doc_new();
    check_render(dc_render_cite, d, "\"Untitled document,\" n.d..\n");
    check_render(dc_render_bibtex, d, "@misc{declass,\n  title = {{Untitled document}}\n}\n");
    dc_buf b;
    dc_buf_init(&b, 0);
    CHECK_INT(dc_render_cite(NULL, NULL, &b), DC_MISUSE);
    CHECK_INT(dc_render_bibtex(d, NULL, NULL), DC_MISUSE);
    CHECK_INT(dc_render_ris(NULL, NULL, NULL), DC_MISUSE);
    CHECK_INT(dc_render_highwire(NULL, NULL, &b), DC_MISUSE);
    dc_buf_release(&b);
    dc_doc_free(d);
}

/* Parses TEI with libxml2; returns the root element's name (static), or
 * "" when it is not well-formed. */
static const char *tei_root(const char *xml, size_t len)
{
    static char name[32];
    xmlDoc *x = xmlReadMemory(xml, (int)len, "tei.xml", "UTF-8",
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    name[0] = '\0';
    if (!x) return name;
    xmlNode *root = xmlDocGetRootElement(x);
    if (root) snprintf(name, sizeof name, "%s", (const char *)root->name);
    xmlFreeDoc(x);
    return name;
}

typedef struct got_docs {
    dc_doc *doc;
    int n;
} got_docs;

static dc_rc got_one(void *ctx, dc_doc *doc)
{
    got_docs *g = ctx;
    g->n++;
    if (g->doc) dc_doc_free(g->doc);
    g->doc = doc;
    return DC_OK;
}

static void test_tei(void)
{
    /* The public view of the hostile HTML sample: well-formed, escaped, the
     * withheld portion a gap. */
    dc_doc *d = html_sample();
    dc_access_reader pub = {.is_public = 1};
    dc_doc *v = NULL;
    CHECK_INT(dc_access_view(&pub, d, &v, NULL), DC_OK);
    dc_buf b;
    dc_buf_init(&b, 0);
    CHECK_INT(dc_render_tei(v, NULL, &b), DC_OK);
    CHECK_STR(tei_root(b.p, b.len), "TEI");
    CHECK(strncmp(b.p, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TEI ", 44) == 0);
    HASNT(b.p, "xylophone");
    HASNT(b.p, "<script");
    HAS(b.p, "<head>1. Plan &lt;script&gt;alert('x')&lt;/script&gt; &amp; \"Co\"<note "
             "type=\"source\" n=\"0\">Source: files. Secret.</note></head>");
    HAS(b.p, "<p><gap reason=\"not declassified\" extent=\"less than 1 line\"/></p>");
    HAS(b.p, "<note n=\"1\" xml:id=\"fn1\">See Document 237 &amp; &lt;b&gt;.</note>");
    HAS(b.p, "Bullet   with a bad byte \xEF\xBF\xBD here.");
    HAS(b.p, "<div type=\"document\" n=\"1\" frus:doc-dateTime-min=\"1959-10-08T00:00:00\">");
    dc_buf_reset(&b);
    /* An unfiltered document: the withheld text is still never printed. */
    CHECK_INT(dc_render_tei(d, "e7-", &b), DC_OK);
    HASNT(b.p, "xylophone");
    HASNT(b.p, "<?xml");
    CHECK_STR(tei_root(b.p, b.len), "TEI");
    HAS(b.p, "xml:id=\"e7-fn1\"");
    dc_buf_reset(&b);
    CHECK_INT(dc_render_tei(d, "7e", &b), DC_MISUSE); /* not an NCName */
    CHECK_INT(dc_render_tei(NULL, NULL, &b), DC_MISUSE);
    dc_buf_release(&b);
    dc_doc_free(v);
    dc_doc_free(d);

    /* Round trip: what the TEI ingester reads back. */
    d = frus_doc();
    dc_buf_init(&b, 0);
    CHECK_INT(dc_render_tei(d, NULL, &b), DC_OK);
    CHECK_STR(tei_root(b.p, b.len), "TEI");
    HAS(b.p, "<idno type=\"frus\">frus1958-60v18</idno>");
    HAS(b.p, "<pb n=\"572\"/><div type=\"document\" xml:id=\"d279\" n=\"279\"");
    HAS(b.p, "<list>\n<label>A</label><item>NSC 5817<note n=\"1\" xml:id=\"fn1\">Document "
             "237.</note> &amp;<pb n=\"573\"/> &lt;the&gt; \"annex\" of 1958</item>\n</list>");
    HAS(b.p, "<table><row><cell>Army</cell><cell>630,000</cell></row></table>");
    char path[] = "/tmp/dc_test_tei_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, b.p, b.len) == (ssize_t)b.len);
        close(fd);
        got_docs g = {NULL, 0};
        dc_error err = {0};
        CHECK_INT(dc_ingest_tei_file(path, got_one, &g, &err), DC_OK);
        unlink(path);
        CHECK_INT(g.n, 1);
        if (g.doc) {
            CHECK_STR(g.doc->title, d->title);
            CHECK_STR(g.doc->collection, "frus1958-60v18");
            CHECK_STR(g.doc->local_id, "d279");
            CHECK_STR(g.doc->number, "279");
            CHECK_STR(g.doc->date, "1959-07-01");
            CHECK_STR(g.doc->volume_title, VOL18);
            CHECK_INT((long long)g.doc->n_portions, (long long)d->n_portions);
            for (size_t i = 0; i < d->n_portions && i < g.doc->n_portions; i++) {
                CHECK_STR(g.doc->portions[i].text, d->portions[i].text);
                CHECK_STR(g.doc->portions[i].kind, d->portions[i].kind);
            }
            CHECK_STR(g.doc->portions[1].label, "A");
            CHECK_STR(g.doc->portions[0].page, "572");
            CHECK_INT((long long)g.doc->n_footnotes, 1);
            CHECK_STR(g.doc->footnotes[0].text, "Document 237.");
            dc_doc_free(g.doc);
        }
    }
    dc_buf_release(&b);
    dc_doc_free(d);
}

int main(void)
{
    test_text();
    test_json();
    test_html();
    test_cite();
    test_tei();
    return TEST_DONE();
}
