/*
 * bench-xml-parse: libxml2's two ways of reading TEI, in process, over the
 * same files (by hand; not a test).  `reader` walks every node with the
 * xmlTextReader as the TEI ingester did until session 16 (the text of
 * each text node measured); `sax` is the SAX2 push parser in 64 KiB
 * chunks with empty callbacks but for counting, as src/ingest/tei_reader.c
 * now feeds it.  Neither maps TEI or stores anything: the figure is the
 * parse alone.
 *
 *     build-bench/bench/bench-xml-parse reader|sax REPS FILE...
 *
 * Prints the best of REPS wall times over all the files, and the bytes of
 * text and the elements seen (the same for both).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

static size_t n_text, n_elements;

static void on_text(void *ctx, const xmlChar *s, int n)
{
    (void)ctx;
    (void)s;
    n_text += (size_t)n;
}

static void on_start(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u, int nn,
                     const xmlChar **ns, int na, int nd, const xmlChar **a)
{
    (void)ctx, (void)l, (void)p, (void)u, (void)nn, (void)ns, (void)na, (void)nd, (void)a;
    n_elements++;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int read_with_reader(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    xmlTextReaderPtr r = xmlReaderForFd(fd, NULL, NULL, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    int ret;
    while (r && (ret = xmlTextReaderRead(r)) == 1) {
        xmlNodePtr n = xmlTextReaderCurrentNode(r);
        if (n && (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)) {
            const xmlChar *v = xmlTextReaderConstValue(r);
            n_text += v ? strlen((const char *)v) : 0;
        } else if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT) {
            n_elements++;
        }
    }
    xmlFreeTextReader(r);
    close(fd);
    return 0;
}

static int read_with_sax(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    xmlSAXHandler h;
    memset(&h, 0, sizeof h);
    h.initialized = XML_SAX2_MAGIC;
    h.startElementNs = on_start;
    h.characters = on_text;
    h.ignorableWhitespace = on_text;
    xmlParserCtxtPtr c = xmlCreatePushParserCtxt(&h, NULL, NULL, 0, path);
    if (!c) {
        close(fd);
        return -1;
    }
    xmlCtxtUseOptions(c, XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    static char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) xmlParseChunk(c, buf, (int)n, 0);
    xmlParseChunk(c, NULL, 0, 1);
    if (c->myDoc) xmlFreeDoc(c->myDoc);
    xmlFreeParserCtxt(c);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "reader") != 0 && strcmp(argv[1], "sax") != 0)) {
        fprintf(stderr, "usage: bench-xml-parse reader|sax REPS FILE...\n");
        return 2;
    }
    int sax = strcmp(argv[1], "sax") == 0;
    long reps = strtol(argv[2], NULL, 10);
    xmlInitParser();
    double best = 1e30;
    for (long k = 0; k < (reps > 0 ? reps : 1); k++) {
        n_text = n_elements = 0;
        double t0 = now();
        for (int i = 3; i < argc; i++)
            if ((sax ? read_with_sax(argv[i]) : read_with_reader(argv[i])) != 0) {
                fprintf(stderr, "bench-xml-parse: cannot read %s\n", argv[i]);
                return 1;
            }
        double t = now() - t0;
        if (t < best) best = t;
    }
    printf("%s: best of %ld %.3f s, %zu bytes of text, %zu elements\n", argv[1], reps, best,
           n_text, n_elements);
    return 0;
}
