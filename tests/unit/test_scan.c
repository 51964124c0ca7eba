/* Unit tests: src/scan (kinds by magic bytes, names against them, the
 * document's text and banners, the helper's answers through fake helpers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan/scan.h"
#include "test.h"

static void test_kinds(void)
{
    CHECK_INT(dc_scan_kind("%PDF-1.7\n", 9), DC_SCAN_PDF);
    CHECK_INT(dc_scan_kind("\x89PNG\r\n\x1a\n", 8), DC_SCAN_PNG);
    CHECK_INT(dc_scan_kind("II*\0\x08\0\0\0", 8), DC_SCAN_TIFF);
    CHECK_INT(dc_scan_kind("MM\0*\0\0\0\x08", 8), DC_SCAN_TIFF);
    CHECK_INT(dc_scan_kind("\xff\xd8\xff\xe0", 4), DC_SCAN_JPEG);
    CHECK_INT(dc_scan_kind("%PDF", 4), DC_SCAN_NONE); /* too short to tell */
    CHECK_INT(dc_scan_kind("<TEI>", 5), DC_SCAN_NONE);
    CHECK_INT(dc_scan_ext_kind("a/Memo.PDF"), DC_SCAN_PDF);
    CHECK_INT(dc_scan_ext_kind("p.tiff"), DC_SCAN_TIFF);
    CHECK_INT(dc_scan_ext_kind("p.jpeg"), DC_SCAN_JPEG);
    CHECK_INT(dc_scan_ext_kind(".pdf"), DC_SCAN_NONE); /* a hidden name, no extension */
    CHECK_INT(dc_scan_ext_kind("memo.txt"), DC_SCAN_NONE);
    dc_error err = {0};
    CHECK_INT(dc_scan_check_name("memo.pdf", DC_SCAN_PDF, &err), DC_OK);
    CHECK_INT(dc_scan_check_name("memo", DC_SCAN_PNG, &err), DC_OK); /* no extension */
    CHECK_INT(dc_scan_check_name("memo.txt", DC_SCAN_NONE, &err), DC_OK);
    CHECK_INT(dc_scan_check_name("memo.pdf", DC_SCAN_PNG, &err), DC_PARSE);
    CHECK_STR(err.msg, "the name says PDF but the content is PNG");
    CHECK_INT(dc_scan_check_name("memo.png", DC_SCAN_NONE, &err), DC_PARSE);
    CHECK(strstr(err.msg, "not an image or PDF") != NULL);
    CHECK_INT(dc_scan_check_name("memo.xml", DC_SCAN_PDF, &err), DC_PARSE);
    CHECK(dc_scan_lang_ok("eng") && dc_scan_lang_ok("eng+fra") && dc_scan_lang_ok("chi_sim"));
    CHECK(!dc_scan_lang_ok("") && !dc_scan_lang_ok("../x") && !dc_scan_lang_ok("eng fra"));
    CHECK(!dc_scan_lang_ok(NULL));
}

static void test_text_and_banner(void)
{
    dc_scan_page pages[3] = {{.number = 1}, {.number = 2}, {.number = 3}};
    pages[0].text = "Memorandum for the Record\n\nThe meeting began (S) at ten.\n";
    pages[1].text = "  | TOP SECRET . .\nThe annex.\n";
    pages[2].text = "SECRET - NODIS\nsecret matters are not a banner\n";
    dc_scan_doc d = {.pages = pages, .n_pages = 3};
    dc_buf b;
    dc_buf_init(&b, 0);
    CHECK_INT(dc_scan_text(&d, &b), DC_OK);
    CHECK(strncmp(b.p, "[Page 1]\n\nMemorandum for the Record\n", 36) == 0);
    CHECK(strstr(b.p, "\n\n[Page 2]\n\n  | TOP SECRET") != NULL);
    CHECK(strstr(b.p, "[Page 3]") != NULL);
    dc_buf_release(&b);
    const char *name = NULL;
    CHECK_INT(dc_scan_banner(&d, &name), 3);
    CHECK_STR(name, "TOP SECRET");
    pages[1].text = "Top Secret matters\nTOP SECRETARY OF STATE\n";
    CHECK_INT(dc_scan_banner(&d, &name), 2); /* only page 3's SECRET - NODIS */
    CHECK_STR(name, "SECRET");
    pages[2].text = "";
    CHECK_INT(dc_scan_banner(&d, &name), -1);
    CHECK(name == NULL);
}

/* A fake helper: a shell script answering "info" with a PDF of two
 * pages, and "page" with body (printf format, %s is the page number). */
static char *fake_helper(const char *dir, const char *name, const char *body)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fprintf(f,
            "#!/bin/sh\nif [ \"$1\" = info ]; then printf 'declass-scan 2\\ninfo PDF 2\\n"
            "end\\n'; exit 0; fi\n%s\n",
            body);
    fclose(f);
    chmod(path, 0755);
    return path;
}

static void test_protocol(void)
{
    char dir[] = "/tmp/dc_test_scan_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char file[600];
    snprintf(file, sizeof file, "%s/memo.pdf", dir);
    FILE *f = fopen(file, "w");
    fputs("%PDF-1.4\n%%EOF\n", f);
    fclose(f);
    const char *files[] = {file};
    dc_error err = {0};
    dc_scan_doc *d = NULL;

    /* a good answer: words, a confidence with one decimal, the text */
    setenv("DECLASS_SCAN",
           fake_helper(dir, "good.sh",
                       "printf 'declass-scan 2\\npage %s 612 792 72 ocr 61.5 1\\n"
                       "word 10 20 30 12 55.5 Dear\\nword 44 20 30 12 67.5 Bob:\\n"
                       "text 10\\nDear Bob:\\n\\nimage 2 3 72 8\\nPNGBYTES\\nend\\n' \"$3\""),
           1);
    CHECK_INT(dc_scan_read(file, files, 1, NULL, &d, &err), DC_OK);
    CHECK(d && d->n_pages == 2);
    if (d && d->n_pages == 2) {
        CHECK_INT(d->pages[1].number, 2);
        CHECK_INT(d->pages[1].width, 612);
        CHECK_STR(d->pages[1].source, "ocr");
        CHECK(d->pages[1].conf > 61.4f && d->pages[1].conf < 61.6f);
        CHECK_INT(d->pages[1].low, 1);
        CHECK_INT((int)d->pages[1].n_words, 2);
        CHECK_STR(d->pages[1].words[1].text, "Bob:");
        CHECK_INT(d->pages[1].words[1].x, 44);
        CHECK_STR(d->pages[0].text, "Dear Bob:\n");
        CHECK_INT(d->pages[1].img_width, 2);
        CHECK_INT(d->pages[1].img_height, 3);
        CHECK_INT((int)d->pages[1].png_len, 8);
        CHECK(memcmp(d->pages[1].png, "PNGBYTES", 8) == 0);
    }
    dc_scan_doc_free(d);

    /* an error answer names the page */
    setenv("DECLASS_SCAN",
           fake_helper(dir, "err.sh", "printf 'declass-scan 2\\nerror limit too big\\n'; exit 3"),
           1);
    CHECK_INT(dc_scan_read(file, files, 1, NULL, &d, &err), DC_LIMIT);
    CHECK(d == NULL);
    CHECK(strstr(err.msg, "page ") && strstr(err.msg, ": too big"));

    /* malformed answers: a text length past the end, another protocol */
    setenv("DECLASS_SCAN",
           fake_helper(dir, "short.sh",
                       "printf 'declass-scan 2\\npage 1 1 1 72 ocr 9 0\\ntext 99\\nab\\nend\\n'"),
           1);
    CHECK_INT(dc_scan_read(file, files, 1, NULL, &d, &err), DC_IO);
    CHECK(strstr(err.msg, "malformed") != NULL);
    setenv("DECLASS_SCAN", fake_helper(dir, "v1.sh", "printf 'declass-scan 1\\n'"), 1);
    CHECK_INT(dc_scan_read(file, files, 1, NULL, &d, &err), DC_IO);
    CHECK(strstr(err.msg, "protocol 2") != NULL);

    /* a helper killed by a signal: bad input, named */
    setenv("DECLASS_SCAN", fake_helper(dir, "crash.sh", "kill -SEGV $$"), 1);
    CHECK_INT(dc_scan_read(file, files, 1, NULL, &d, &err), DC_PARSE);
    CHECK(strstr(err.msg, "crashed") != NULL);

    /* not executable */
    setenv("DECLASS_SCAN", dir, 1);
    CHECK_INT(dc_scan_read(file, files, 1, NULL, &d, &err), DC_IO);
    CHECK(strstr(err.msg, "DECLASS_SCAN") != NULL);
    unsetenv("DECLASS_SCAN");

    const char *names[] = {"good.sh", "err.sh", "short.sh", "v2.sh", "crash.sh", "memo.pdf"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

int main(void)
{
    test_kinds();
    test_text_and_banner();
    test_protocol();
    return TEST_DONE();
}
