/*
 * declass-scan: the helper program that reads PDFs and page images for
 * declass ingest.  libdeclass runs it once per page (src/scan/scan.c),
 * under limits on CPU time, memory and wall-clock time, so that poppler,
 * Leptonica and Tesseract never run inside the process that holds the
 * database.  It writes the protocol of docs/scans.md on stdout:
 *
 *   declass-scan info FILE                  kind and page count
 *   declass-scan page FILE N [--ocr auto|force|never] [--lang LANG]
 *
 * Exit status: 0 done, 2 usage, 3 bad input, 5 internal error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "scan/scan_limits.h"
#include "scan_helper.h"
#include "util/banned.h"

static const char usage[] =
    "usage: declass-scan info FILE\n"
    "       declass-scan page FILE N [--ocr auto|force|never] [--lang LANG]\n"
    "\n"
    "The helper declass ingest runs to read PDFs (poppler) and PNG, TIFF and\n"
    "JPEG page images (Leptonica), with OCR by Tesseract.  It prints the\n"
    "protocol of docs/scans.md on stdout.  Exit status 0 done, 2 usage,\n"
    "3 bad input, 5 internal error.\n";

/*
 * Under LeakSanitizer (a -DDC_SANITIZE=address build): fontconfig, which
 * poppler calls to find a substitute for a font a PDF does not embed
 * (Helvetica, Times: the standard 14), keeps its configuration for the
 * life of the process and never frees it.  Without this a text-layer PDF
 * of such fonts fails every page (the helper's exit status is LSan's).
 * A sanitizer calls it; an ordinary build never does.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }

static const char *const kinds[] = {"ok", "parse", "limit", "nomem", "internal"};

static int fail(int rc, const char *msg)
{
    printf("declass-scan %d\nerror %s ", DC_SCAN_PROTOCOL, kinds[rc]);
    for (const char *s = msg; *s; s++) putchar((unsigned char)*s < ' ' ? ' ' : *s);
    putchar('\n');
    fflush(stdout);
    return rc == SH_PARSE || rc == SH_LIMIT ? 3 : 5;
}

/* Reads the whole file, at most DC_SCAN_MAX_FILE bytes. */
static int read_all(const char *path, unsigned char **out, size_t *len, char *msg, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(msg, cap, "cannot open: %s", fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0) close(fd);
        return SH_PARSE;
    }
    if ((unsigned long long)sb.st_size > DC_SCAN_MAX_FILE) {
        close(fd);
        snprintf(msg, cap, "file larger than %llu MiB", DC_SCAN_MAX_FILE >> 20);
        return SH_LIMIT;
    }
    size_t n = (size_t)sb.st_size, got = 0;
    unsigned char *d = malloc(n ? n : 1);
    if (!d) {
        close(fd);
        snprintf(msg, cap, "out of memory");
        return SH_NOMEM;
    }
    while (got < n) {
        ssize_t r = read(fd, d + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    *out = d;
    *len = got;
    return SH_OK;
}

static int lang_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '+'))
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        printf("declass-scan protocol %d\n", DC_SCAN_PROTOCOL);
        return 0;
    }
    int info = argc == 3 && !strcmp(argv[1], "info");
    int page = argc >= 4 && !strcmp(argv[1], "page");
    int n = 0, mode = SH_OCR_AUTO;
    const char *lang = "eng";
    if (page) {
        char *end;
        long v = strtol(argv[3], &end, 10);
        if (*end || v < 1 || v > DC_SCAN_MAX_PAGES) page = 0;
        n = (int)v;
        for (int i = 4; page && i < argc; i += 2) {
            if (i + 1 >= argc) page = 0;
            else if (!strcmp(argv[i], "--lang") && lang_ok(argv[i + 1])) lang = argv[i + 1];
            else if (!strcmp(argv[i], "--ocr") && !strcmp(argv[i + 1], "auto")) mode = SH_OCR_AUTO;
            else if (!strcmp(argv[i], "--ocr") && !strcmp(argv[i + 1], "force"))
                mode = SH_OCR_FORCE;
            else if (!strcmp(argv[i], "--ocr") && !strcmp(argv[i + 1], "never"))
                mode = SH_OCR_NEVER;
            else page = 0;
        }
    }
    if (!info && !page) {
        fputs(usage, stderr);
        return 2;
    }
    setMsgSeverity(L_SEVERITY_NONE);
    char msg[512];
    unsigned char *data = NULL;
    size_t len = 0;
    sh_doc *d = NULL;
    int rc = read_all(argv[2], &data, &len, msg, sizeof msg);
    if (!rc) rc = sh_open(data, len, &d, msg, sizeof msg);
    if (rc) {
        free(data);
        return fail(rc, msg);
    }
    if (info) {
        printf("declass-scan %d\ninfo %s %d\nend\n", DC_SCAN_PROTOCOL, sh_kind(d), sh_pages(d));
    } else {
        sh_page p;
        rc = sh_page_read(d, n, mode, lang, &p, msg, sizeof msg);
        if (rc) {
            sh_close(d);
            free(data);
            return fail(rc, msg);
        }
        printf("declass-scan %d\npage %d %d %d %d %s %.1f %d\n", DC_SCAN_PROTOCOL, p.number,
               p.width, p.height, p.dpi, p.source, (double)p.conf, p.low);
        for (size_t i = 0; i < p.n_words; i++) {
            const sh_word *w = &p.words[i];
            printf("word %d %d %d %d %.1f %s\n", w->x, w->y, w->w, w->h, (double)w->conf, w->text);
        }
        printf("text %zu\n", strlen(p.text));
        fputs(p.text, stdout);
        printf("\nimage %d %d %d %zu\n", p.img_width, p.img_height, p.img_dpi, p.png_len);
        fwrite(p.png, 1, p.png_len, stdout);
        printf("\nend\n");
        sh_page_release(&p);
    }
    sh_close(d);
    free(data);
    return fflush(stdout) == 0 ? 0 : 5;
}
