/*
 * bench-xapian: the Xapian side of bench/compare (not a test; built only
 * with -DDC_BENCH=ON, needs Debian's libxapian-dev).
 *
 *   bench-xapian build DOCS.tsv DIR     index the documents of bench/extract-docs
 *   bench-xapian optimize DIR           compact into a fresh database (xapian-compact)
 *   bench-xapian query DIR QUERIES REPS OUT
 *
 * Indexing is Xapian's usual configuration for a document with a title
 * and a body: a TermGenerator with the English stemmer (STEM_SOME: exact
 * terms with positions, "Z"-prefixed stems without), the title indexed
 * unprefixed with wdf 2 (boosted, and found by a plain query) and once
 * more with prefix "S" (so title: queries work, as in declass and FTS5),
 * then each block after a position gap.  The document id string is the
 * document data.  Default block size; the flush threshold is Xapian's
 * XAPIAN_FLUSH_THRESHOLD (bench/compare sets 1000, twice as fast here as
 * the default 10000).  Nothing else is stored (no values, no spelling).
 *
 * query: QUERIES holds one QueryParser query per line (bench/compare
 * translates bench/queries.txt).  QueryParser: English stemmer,
 * STEM_SOME, default operator AND, FLAG_PHRASE | FLAG_WILDCARD |
 * FLAG_BOOLEAN; BM25 weighting (the default).  Every query runs once to
 * warm up, then REPS rounds run every query once each.  A sample is
 * parse + get_mset(0, 10) + the 10 documents' data (the ids).  The exact
 * number of matches comes from a separate get_mset(0, 0, doccount)
 * (check_at_least = every document), timed on its own.  OUT gets one
 * line per query: index, total, hits, then the top-10 samples and the
 * count samples in microseconds.  Summary lines "key value" go to stdout.
 */
#include <xapian.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

static double now()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmd_build(const char *docs, const char *dir)
{
    std::ifstream in(docs);
    if (!in) {
        std::perror(docs);
        return 1;
    }
    std::filesystem::remove_all(dir);
    double t0 = now();
    Xapian::WritableDatabase db(dir, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    std::string line;
    long long n = 0, bytes = 0;
    std::vector<std::string> f;
    while (std::getline(in, line)) {
        f.clear();
        size_t start = 0;
        for (;;) {
            size_t tab = line.find('\t', start);
            f.emplace_back(line, start, tab == std::string::npos ? std::string::npos : tab - start);
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        if (f.size() < 2) continue;
        Xapian::Document doc;
        tg.set_document(doc);
        tg.index_text(f[1], 2);
        tg.index_text(f[1], 1, "S");
        for (size_t i = 2; i < f.size(); i++) {
            tg.increase_termpos();
            tg.index_text(f[i]);
        }
        doc.set_data(f[0]);
        db.add_document(doc);
        n++;
        bytes += (long long)line.size() + 1;
    }
    db.commit();
    db.close();
    double t1 = now();
    std::printf("docs %lld\nbytes %lld\nseconds %.3f\n", n, bytes, t1 - t0);
    return 0;
}

static int cmd_optimize(const char *dir)
{
    std::string tmp = std::string(dir) + ".compact";
    std::filesystem::remove_all(tmp);
    double t0 = now();
    {
        Xapian::Database db(dir);
        db.compact(tmp);
    }
    std::filesystem::remove_all(dir);
    std::filesystem::rename(tmp, dir);
    std::printf("seconds %.3f\n", now() - t0);
    return 0;
}

struct query {
    std::string text;
    long long total = -1;
    int hits = 0;
    std::vector<double> top, count;
};

static int top10(Xapian::QueryParser &qp, Xapian::Enquire &enq, const std::string &text,
                 unsigned flags, unsigned long &sink)
{
    enq.set_query(qp.parse_query(text, flags));
    Xapian::MSet m = enq.get_mset(0, 10);
    int hits = 0;
    for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it) {
        sink += it.get_document().get_data().size();
        hits++;
    }
    return hits;
}

static long long count_all(Xapian::QueryParser &qp, Xapian::Enquire &enq, const std::string &text,
                           unsigned flags, Xapian::doccount all)
{
    enq.set_query(qp.parse_query(text, flags));
    Xapian::MSet m = enq.get_mset(0, 0, all);
    return (long long)m.get_matches_estimated();
}

static int cmd_query(const char *dir, const char *qpath, int reps, const char *out)
{
    std::ifstream in(qpath);
    if (!in) {
        std::perror(qpath);
        return 1;
    }
    std::vector<query> q;
    std::string line;
    while (std::getline(in, line)) {
        query x;
        x.text = line;
        x.top.assign((size_t)reps, 0);
        x.count.assign((size_t)reps, 0);
        q.push_back(std::move(x));
    }
    Xapian::Database db(dir);
    Xapian::QueryParser qp;
    qp.set_stemmer(Xapian::Stem("english"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_database(db);
    qp.set_default_op(Xapian::Query::OP_AND);
    qp.add_prefix("title", "S");
    const unsigned flags = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_WILDCARD |
                           Xapian::QueryParser::FLAG_BOOLEAN;
    Xapian::Enquire enq(db);
    Xapian::doccount all = db.get_doccount();
    unsigned long sink = 0;
    double t0 = now();
    for (query &x : q) { /* warm-up round, and the totals */
        x.hits = top10(qp, enq, x.text, flags, sink);
        x.total = count_all(qp, enq, x.text, flags, all);
    }
    double t1 = now();
    for (int r = 0; r < reps; r++) {
        for (query &x : q) {
            double a = now();
            top10(qp, enq, x.text, flags, sink);
            double b = now();
            count_all(qp, enq, x.text, flags, all);
            double c = now();
            x.top[(size_t)r] = b - a;
            x.count[(size_t)r] = c - b;
        }
    }
    double t2 = now();

    FILE *o = std::fopen(out, "w");
    if (!o) {
        std::perror(out);
        return 1;
    }
    for (size_t i = 0; i < q.size(); i++) {
        std::fprintf(o, "%zu\t%lld\t%d\t", i, q[i].total, q[i].hits);
        for (int r = 0; r < reps; r++)
            std::fprintf(o, "%s%.2f", r ? "," : "", q[i].top[(size_t)r] * 1e6);
        std::fputc('\t', o);
        for (int r = 0; r < reps; r++)
            std::fprintf(o, "%s%.2f", r ? "," : "", q[i].count[(size_t)r] * 1e6);
        std::fputc('\n', o);
    }
    if (std::fclose(o) != 0) {
        std::perror(out);
        return 1;
    }
    std::printf("queries %zu\nreps %d\nwarm_seconds %.3f\ntimed_seconds %.3f\nsink %lu\n",
                q.size(), reps, t1 - t0, t2 - t1, sink);
    return 0;
}

int main(int argc, char **argv)
{
    try {
        if (argc == 4 && std::strcmp(argv[1], "build") == 0) return cmd_build(argv[2], argv[3]);
        if (argc == 3 && std::strcmp(argv[1], "optimize") == 0) return cmd_optimize(argv[2]);
        if (argc == 6 && std::strcmp(argv[1], "query") == 0) {
            char *end;
            long reps = std::strtol(argv[4], &end, 10);
            if (*end || reps < 1 || reps > 100000) {
                std::fputs("bench-xapian: REPS must be 1..100000\n", stderr);
                return 2;
            }
            return cmd_query(argv[2], argv[3], (int)reps, argv[5]);
        }
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "bench-xapian: %s\n", e.get_description().c_str());
        return 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench-xapian: %s\n", e.what());
        return 1;
    }
    std::fputs("usage: bench-xapian build DOCS.tsv DIR | optimize DIR | query DIR QUERIES REPS OUT\n",
               stderr);
    return 2;
}
