/* SPDX-License-Identifier: MIT */
/* gdprx tool, batch: N worker threads analyze documents with one shared
 * rule set; the main thread writes each document's output whole, in input
 * order (or as they finish with --unordered), and draws the progress line.
 * At most `window` documents are held between analysis and writing. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum { SLOT_FREE, SLOT_BUSY, SLOT_DONE };

typedef struct slot {
    int state;
    size_t job;             /* index in the job list */
    doc_out d;              /* owned while DONE */
} slot;

typedef struct batch {
    const gdprx_rules *rules;   /* borrowed, shared by the workers */
    const joblist *jobs;        /* borrowed */
    const opts *o;              /* borrowed */
    pthread_mutex_t mu;
    pthread_cond_t done_cv;     /* a slot became DONE */
    pthread_cond_t free_cv;     /* a slot became FREE */
    slot *slots;                /* owned, window of them */
    size_t window;
    size_t next_job;            /* next job to hand out */
    size_t next_write;          /* ordered mode: next job to write */
} batch;

/* Progress and the totals, kept by the writing thread only. */
typedef struct tally {
    size_t docs, failed, findings;
    double bytes, total_bytes;  /* total_bytes < 0: unknown */
    double t0, last_draw;
    int drawn, tty;
} tally;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *status_code(int rc)
{
    switch (rc) {
    case GDPRX_EUTF8: return "utf8";
    case GDPRX_ELIMIT: return "too_large";
    case GDPRX_ENOMEM: return "nomem";
    case GDPRX_EINVAL: return "invalid";
    default: return "internal";
    }
}

static void fail(doc_out *d, const batch *b, const char *name, int rc,
                 const gdprx_error *err)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s: %s", name, err->message);
    format_error(d, name, status_code(rc), msg, b->o);
}

static void analyze_text(doc_out *d, const batch *b, const char *name,
                         const char *text, size_t len)
{
    gdprx_result *r = NULL;
    gdprx_error err;
    int rc;
    if (b->o->count) {   /* counted as they come: no finding kept */
        if ((rc = count_streamed(d, name, text, len, b->rules, b->o, &err)))
            fail(d, b, name, rc, &err);
        return;
    }
    gdprx_options ao = doc_options(b->o, name);
    if ((rc = gdprx_analyze(&r, b->rules, text, len, &ao, &err)) != GDPRX_OK) {
        fail(d, b, name, rc, &err);
        return;
    }
    if (format_result(d, name, r, text, b->rules, b->o) != 0) {
        doc_out_free(d);
        format_error(d, name, "nomem", "out of memory formatting the output",
                     b->o);
    }
    gdprx_result_free(r);
}

static const char *job_name(const job *j)
{
    return strcmp(j->path, "-") ? j->path : "<stdin>";
}

/* Read, analyze and format job i into d; a large document in a JSON mode
 * is only read: emit() analyzes it as it writes its record. */
static void process(doc_out *d, const batch *b, size_t i)
{
    const job *j = &b->jobs->v[i];
    const char *name = job_name(j);
    memset(d, 0, sizeof *d);
    if (j->err_code) {
        format_error(d, name, j->err_code, j->err_msg, b->o);
        d->failed = 1;
        return;
    }
    char *text;
    size_t len;
    read_error e;
    if (doc_read(&text, &len, j->path, b->o->max_size, &e) != 0) {
        format_error(d, name, e.code, e.message, b->o);
        d->failed = 1;
        return;
    }
    d->bytes = len;
    if (len > b->o->stream_above && (b->o->json || b->o->jsonl) && !b->o->count) {
        d->text = text;
        return;
    }
    analyze_text(d, b, name, text, len);
    free(text);
}

/* A free slot job i may use, or NULL: in order, job i waits until it is
 * within `window` of the next one to write. */
static slot *free_slot(batch *b, size_t i)
{
    if (!b->o->unordered) {
        slot *s = &b->slots[i % b->window];
        return i < b->next_write + b->window && s->state == SLOT_FREE ? s
                                                                      : NULL;
    }
    for (size_t k = 0; k < b->window; k++)
        if (b->slots[k].state == SLOT_FREE)
            return &b->slots[k];
    return NULL;
}

static void *worker(void *arg)
{
    batch *b = arg;
    pthread_mutex_lock(&b->mu);
    while (b->next_job < b->jobs->n) {
        slot *s = free_slot(b, b->next_job);
        if (!s) {
            pthread_cond_wait(&b->free_cv, &b->mu);
            continue;
        }
        s->state = SLOT_BUSY;
        s->job = b->next_job++;
        pthread_mutex_unlock(&b->mu);
        doc_out d;
        process(&d, b, s->job);
        pthread_mutex_lock(&b->mu);
        s->d = d;
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&b->done_cv);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* ---- progress and summary --------------------------------------------- */

static void progress_clear(tally *t)
{
    if (t->drawn)
        write_all(STDERR_FILENO, "\r\033[K", 4);
    t->drawn = 0;
}

static void progress_draw(tally *t, size_t total_docs)
{
    double tm = now();
    if (!t->tty || tm - t->last_draw < 0.2)
        return;
    t->last_draw = tm;
    double el = tm - t->t0, mb = t->bytes / 1e6, rate = el > 0 ? mb / el : 0;
    char line[200], eta[40] = "";
    double left = t->total_bytes >= 0 && t->bytes > 0
                      ? (t->total_bytes - t->bytes) / t->bytes * el
                  : t->docs ? (double)(total_docs - t->docs) / t->docs * el
                            : -1;
    if (left >= 0)
        snprintf(eta, sizeof eta, ", ETA %d:%02d", (int)left / 60,
                 (int)left % 60);
    int n = snprintf(line, sizeof line,
                     "\r\033[K%zu/%zu documents, %.1f MB, %.1f MB/s%s", t->docs,
                     total_docs, mb, rate, eta);
    write_all(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n
                                                           : sizeof line - 1);
    t->drawn = 1;
}

static void summary(const tally *t)
{
    double el = now() - t->t0, mb = t->bytes / 1e6;
    char line[256];
    int n = snprintf(line, sizeof line,
                     "gdprx: %zu document%s, %zu failed, %zu finding%s, "
                     "%.1f MB in %.2f s (%.1f MB/s)\n",
                     t->docs, t->docs == 1 ? "" : "s", t->failed, t->findings,
                     t->findings == 1 ? "" : "s", mb, el,
                     el > 0 ? mb / el : 0);
    write_all(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n
                                                           : sizeof line - 1);
}

/* ---- writing ---------------------------------------------------------- */

/* A DONE slot to write next, or NULL. */
static slot *ready_slot(batch *b)
{
    if (!b->o->unordered) {
        slot *s = &b->slots[b->next_write % b->window];
        return s->state == SLOT_DONE && s->job == b->next_write ? s : NULL;
    }
    for (size_t k = 0; k < b->window; k++)
        if (b->slots[k].state == SLOT_DONE)
            return &b->slots[k];
    return NULL;
}

static void emit(const batch *b, tally *t, doc_out *d, size_t job)
{
    if (d->text) {   /* its record is written as it is analyzed */
        progress_clear(t);
        const char *name = job_name(&b->jobs->v[job]);
        gdprx_error err;
        int rc = stream_result(d, name, b->rules, b->o, STDOUT_FILENO, &err);
        if (rc != GDPRX_OK)
            fail(d, b, name, rc, &err);
    }
    if (d->out_len || d->err_len)
        progress_clear(t);
    /* a write error (a closed pipe) is not the document's fault: the
     * remaining records go nowhere either, and SIGPIPE usually ends us */
    if (d->out_len)
        write_all(STDOUT_FILENO, d->out, d->out_len);
    if (d->err_len)
        write_all(STDERR_FILENO, d->err, d->err_len);
    t->docs++;
    t->failed += d->failed != 0;
    t->findings += d->findings;
    t->bytes += (double)d->bytes;
}

/* Write every document as it becomes ready; returns when all are written. */
static void write_all_docs(batch *b, tally *t)
{
    size_t n = b->jobs->n;
    pthread_mutex_lock(&b->mu);
    for (size_t written = 0; written < n;) {
        slot *s = ready_slot(b);
        if (!s) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 200000000;
            ts.tv_sec += ts.tv_nsec / 1000000000;
            ts.tv_nsec %= 1000000000;
            pthread_cond_timedwait(&b->done_cv, &b->mu, &ts);
            pthread_mutex_unlock(&b->mu);
            progress_draw(t, n);
            pthread_mutex_lock(&b->mu);
            continue;
        }
        doc_out d = s->d;
        size_t job = s->job;
        s->state = SLOT_FREE;
        b->next_write++;
        written++;
        pthread_cond_broadcast(&b->free_cv);
        pthread_mutex_unlock(&b->mu);
        emit(b, t, &d, job);
        doc_out_free(&d);
        progress_draw(t, n);
        pthread_mutex_lock(&b->mu);
    }
    pthread_mutex_unlock(&b->mu);
    progress_clear(t);
}

static double total_bytes(const joblist *jobs)
{
    double sum = 0;
    for (size_t i = 0; i < jobs->n; i++) {
        if (jobs->v[i].size < 0)
            return -1;
        sum += (double)jobs->v[i].size;
    }
    return sum;
}

/* Start up to n workers; returns how many started (*ec: why not more). */
static size_t start_workers(pthread_t *th, size_t n, batch *b, int *ec)
{
    size_t k = 0;
    while (k < n && (*ec = pthread_create(&th[k], NULL, worker, b)) == 0)
        k++;
    return k;
}

int batch_run(const gdprx_rules *rules, const joblist *jobs, const opts *o)
{
    size_t nth = (size_t)o->jobs < jobs->n ? (size_t)o->jobs : jobs->n;
    batch b = {.rules = rules, .jobs = jobs, .o = o,
               .window = 4 * (nth ? nth : 1) + 4};
    tally t = {.t0 = now(), .tty = isatty(STDERR_FILENO),
               .total_bytes = total_bytes(jobs)};
    b.slots = calloc(b.window, sizeof *b.slots);
    pthread_t *th = calloc(nth ? nth : 1, sizeof *th);
    int rc = EXIT_INPUT;
    if (!b.slots || !th) {
        fprintf(stderr, "gdprx: out of memory\n");
        goto out;
    }
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.done_cv, NULL);
    pthread_cond_init(&b.free_cv, NULL);
    int ec = 0;
    size_t started = start_workers(th, nth, &b, &ec);
    if (started == 0 && nth > 0) {
        fprintf(stderr, "gdprx: cannot start a thread: %s\n", strerror(ec));
    } else {
        write_all_docs(&b, &t);
        rc = t.failed ? EXIT_INPUT : EXIT_OK;
    }
    for (size_t k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    pthread_cond_destroy(&b.free_cv);
    pthread_cond_destroy(&b.done_cv);
    pthread_mutex_destroy(&b.mu);
    if (o->stats || (t.tty && jobs->n > 1))
        summary(&t);
out:
    free(th);
    free(b.slots);
    return rc;
}
