/*
 * The facade: the audit log in group commits (declass.h, dc_audit_queue).
 *
 * A server appended one audit row per request, each in a transaction of
 * its own: two or three WAL frames and a lock round per read, a third of
 * the time of a small document.  Here request threads queue their rows
 * (with the time of the event) and one writer thread appends them in one
 * transaction per batch, dc_store_audit_rows: in queue order, each with
 * its link in the hash chain, all or none.
 *
 * Bounds: a batch is written once its oldest row has waited delay_ms or
 * DC_AUDIT_BATCH rows wait; the queue holds at most DC_AUDIT_QUEUE_MAX
 * rows, past which a request waits for room (QUEUE_WAIT_S at most, then
 * DC_IO: no read goes unlogged for long).  A failed batch is kept and
 * tried again after RETRY_MS; closing tries CLOSE_TRIES times before it
 * gives up and says how many rows were lost.
 */
#include "facade/facade_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/util_int.h"
#include "util/banned.h"

#define QUEUE_WAIT_S 5
#define RETRY_MS 100
#define CLOSE_TRIES 20

struct dc_audit_queue {
    dc_store *st; /* the writer's own connection */
    pthread_t writer;
    pthread_mutex_t mu;
    pthread_cond_t wake; /* the writer: rows came, or stop */
    pthread_cond_t room; /* request threads: a batch was written */
    dc_audit_copy *q;     /* q[0..n) wait, oldest first */
    size_t n, cap;
    dc_audit_copy *batch; /* DC_AUDIT_BATCH: the rows the writer is writing */
    dc_audit_row *rows;   /* DC_AUDIT_BATCH: the same, as the store takes them */
    struct timespec oldest; /* when q[0] was queued (CLOCK_MONOTONIC) */
    unsigned delay_ms;
    int stop;
    dc_rc failed;     /* the last batch's error, DC_OK once one succeeds */
    char errmsg[512]; /* its message */
    dc_audit_stats stats;
};

void dc_audit_copy_free(dc_audit_copy *r) { free(r->mem); }

/* See facade_int.h. */
dc_rc dc_audit_copy_make(dc_audit_copy *out, const char *at, const char *user, const char *action,
                         const char *target, const char *detail)
{
    const char *in[5] = {at, user, action, target, detail};
    size_t len[5], total = 0;
    for (int i = 0; i < 5; i++) total += (len[i] = in[i] ? strlen(in[i]) + 1 : 0);
    char *m = malloc(total ? total : 1);
    if (!m) return DC_NOMEM;
    const char *outp[5];
    char *p = m;
    for (int i = 0; i < 5; i++) {
        outp[i] = in[i] ? p : NULL;
        if (in[i]) memcpy(p, in[i], len[i]);
        p += len[i];
    }
    out->mem = m;
    out->r = (dc_audit_row){outp[0], outp[1], outp[2], outp[3], outp[4]};
    return DC_OK;
}

/* ts + ms as an absolute time. */
static struct timespec after_ms(struct timespec ts, long ms)
{
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    return ts;
}

static struct timespec now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts;
}

static int before(struct timespec a, struct timespec b)
{
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

/* Writes aq->batch[0..n) (mu not held).  DC_OK or the store's error. */
static dc_rc write_batch(dc_audit_queue *aq, size_t n, char *msg, size_t cap)
{
    for (size_t i = 0; i < n; i++) aq->rows[i] = aq->batch[i].r;
    dc_rc rc = dc_store_audit_rows(aq->st, aq->rows, n);
    if (rc) snprintf(msg, cap, "%s", dc_store_errmsg(aq->st));
    return rc;
}

/*
 * The writer: waits for rows, lets a batch gather for at most delay_ms
 * after its oldest row (less when DC_AUDIT_BATCH rows wait or the queue
 * stops), moves at most DC_AUDIT_BATCH rows from the front of the queue
 * to its own array and writes them outside the lock, so request threads
 * queue meanwhile.  A batch that fails stays in its array and is tried
 * again after RETRY_MS, before any later row (the order is kept).
 */
static void *writer_main(void *arg)
{
    dc_audit_queue *aq = arg;
    size_t n = 0; /* rows in aq->batch */
    int tries = 0;
    pthread_mutex_lock(&aq->mu);
    for (;;) {
        if (n) {
            struct timespec due = after_ms(now_mono(), RETRY_MS);
            while (before(now_mono(), due))
                if (pthread_cond_timedwait(&aq->wake, &aq->mu, &due) == ETIMEDOUT) break;
        } else {
            while (!aq->n && !aq->stop) pthread_cond_wait(&aq->wake, &aq->mu);
            if (!aq->n) break; /* stopped and drained */
            struct timespec due = after_ms(aq->oldest, (long)aq->delay_ms);
            while (!aq->stop && aq->n < DC_AUDIT_BATCH && before(now_mono(), due))
                if (pthread_cond_timedwait(&aq->wake, &aq->mu, &due) == ETIMEDOUT) break;
            n = aq->n < DC_AUDIT_BATCH ? aq->n : DC_AUDIT_BATCH;
            memcpy(aq->batch, aq->q, n * sizeof *aq->q);
            memmove(aq->q, aq->q + n, (aq->n - n) * sizeof *aq->q);
            aq->n -= n;
            if (aq->n) aq->oldest = now_mono(); /* the next oldest waited at most as long */
            pthread_cond_broadcast(&aq->room);
        }
        pthread_mutex_unlock(&aq->mu);
        char msg[sizeof aq->errmsg];
        dc_rc rc = write_batch(aq, n, msg, sizeof msg);
        pthread_mutex_lock(&aq->mu);
        if (rc) {
            aq->failed = rc;
            memcpy(aq->errmsg, msg, sizeof msg);
            aq->stats.failures++;
            if (++tries < CLOSE_TRIES || !aq->stop) continue;
            aq->stats.lost += n; /* stopping, and the store still refuses */
        } else {
            aq->failed = DC_OK;
            aq->stats.rows += n;
            aq->stats.commits++;
            if (n > aq->stats.max_batch) aq->stats.max_batch = n;
        }
        for (size_t i = 0; i < n; i++) dc_audit_copy_free(&aq->batch[i]);
        n = 0;
        tries = 0;
    }
    pthread_mutex_unlock(&aq->mu);
    return NULL;
}

dc_rc dc_audit_queue_open(const char *path, unsigned delay_ms, dc_audit_queue **out,
                          dc_error *err)
{
    if (out) *out = NULL;
    if (!path || !out || delay_ms < 1 || delay_ms > 10000)
        return dc_fail(err, DC_MISUSE, 0, "dc_audit_queue_open: bad arguments");
    dc_audit_queue *aq = calloc(1, sizeof *aq);
    if (!aq) return dc_fail(err, DC_NOMEM, 0, "out of memory");
    aq->delay_ms = delay_ms;
    aq->batch = calloc(DC_AUDIT_BATCH, sizeof *aq->batch);
    aq->rows = calloc(DC_AUDIT_BATCH, sizeof *aq->rows);
    if (!aq->batch || !aq->rows) {
        free(aq->batch);
        free(aq->rows);
        free(aq);
        return dc_fail(err, DC_NOMEM, 0, "out of memory");
    }
    dc_rc rc = dc_store_open(path, DC_STORE_MANUAL_CHECKPOINT, &aq->st, err);
    if (rc) {
        free(aq->batch);
        free(aq->rows);
        free(aq);
        return rc;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&aq->mu, NULL);
    pthread_cond_init(&aq->wake, &ca);
    pthread_cond_init(&aq->room, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&aq->writer, NULL, writer_main, aq) != 0) {
        pthread_cond_destroy(&aq->wake);
        pthread_cond_destroy(&aq->room);
        pthread_mutex_destroy(&aq->mu);
        dc_store_close(aq->st);
        free(aq->batch);
        free(aq->rows);
        free(aq);
        return dc_fail(err, DC_INTERNAL, 0, "cannot start the audit log's writer thread");
    }
    *out = aq;
    return DC_OK;
}

dc_rc dc_audit_queue_add(dc_audit_queue *aq, const char *user, const char *action,
                         const char *target, const char *detail, char *msg, size_t cap)
{
    char at[32];
    if (!dc_utc_now(at, sizeof at, 1)) {
        snprintf(msg, cap, "cannot read the system clock");
        return DC_INTERNAL;
    }
    dc_audit_copy row;
    if (dc_audit_copy_make(&row, at, user, action, target, detail)) {
        snprintf(msg, cap, "appending to the audit log: out of memory");
        return DC_NOMEM;
    }
    pthread_mutex_lock(&aq->mu);
    struct timespec limit = after_ms(now_mono(), QUEUE_WAIT_S * 1000L);
    dc_rc rc = DC_OK;
    while (!rc && aq->n >= DC_AUDIT_QUEUE_MAX)
        if (pthread_cond_timedwait(&aq->room, &aq->mu, &limit) == ETIMEDOUT) rc = DC_IO;
    if (!rc && aq->stop) rc = DC_MISUSE;
    if (!rc && DC_GROW(aq->q, aq->n + 1, aq->cap)) rc = DC_NOMEM;
    if (!rc) {
        if (!aq->n) aq->oldest = now_mono();
        aq->q[aq->n++] = row;
        if (aq->n == 1 || aq->n == DC_AUDIT_BATCH) pthread_cond_signal(&aq->wake);
    } else {
        snprintf(msg, cap, "%s",
                 rc == DC_IO       ? "the audit log is not being written; reads refused until it is"
                 : rc == DC_MISUSE ? "the audit log is closed"
                                   : "appending to the audit log: out of memory");
    }
    pthread_mutex_unlock(&aq->mu);
    if (rc) dc_audit_copy_free(&row);
    return rc;
}

void dc_db_audit_to(dc_db *db, dc_audit_queue *q)
{
    if (db) db->aq = q;
}

void dc_audit_queue_stats(dc_audit_queue *aq, dc_audit_stats *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!aq) return;
    pthread_mutex_lock(&aq->mu);
    *out = aq->stats;
    pthread_mutex_unlock(&aq->mu);
}

dc_rc dc_audit_queue_close(dc_audit_queue *aq, dc_audit_stats *final, dc_error *err)
{
    if (final) memset(final, 0, sizeof *final);
    if (!aq) return DC_OK;
    pthread_mutex_lock(&aq->mu);
    aq->stop = 1;
    pthread_cond_signal(&aq->wake);
    pthread_mutex_unlock(&aq->mu);
    pthread_join(aq->writer, NULL);
    if (final) *final = aq->stats;
    dc_rc rc = DC_OK;
    if (aq->stats.lost)
        rc = dc_fail(err, aq->failed ? aq->failed : DC_IO, 0,
                     "%llu audit rows could not be written: %s", aq->stats.lost, aq->errmsg);
    free(aq->q);
    free(aq->batch);
    free(aq->rows);
    dc_store_close(aq->st);
    pthread_cond_destroy(&aq->wake);
    pthread_cond_destroy(&aq->room);
    pthread_mutex_destroy(&aq->mu);
    free(aq);
    return rc;
}
