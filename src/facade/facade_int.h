/*
 * The facade's insides, shared by its files (src/facade/): the dc_db
 * handle and the helpers every public call uses.  Not exported.
 */
#ifndef DC_DECLASS_INT_H
#define DC_DECLASS_INT_H

#include "access/access.h"
#include "analysis/analysis.h"
#include "declass/declass.h"
#include "index/index.h"
#include "links/links.h"
#include "render/render.h"
#include "store/store.h"

#define DC_MAX_ID 256          /* bytes in a document id */
#define DC_MAX_WALK_DEPTH 64   /* folder nesting followed by ingest */
#define DC_SEARCH_MAX_LIMIT 1000 /* hits in one page */

/*
 * Snippets already made: a direct-mapped cache keyed by what a snippet
 * depends on — the version (its docid: versions never change), the
 * reader's access (public, or level and compartments), the query text and
 * the marks — so a popular query costs one document read and one pass of
 * the analyzer per hit the first time only.  Bounded: SNIPPET_SLOTS
 * entries of at most a few KiB each.  A server's handle only (DC_DB_SERVER):
 * a command searches once.
 */
#define SNIPPET_SLOTS 1024
typedef struct snippet_slot {
    uint64_t hash;
    char *key, *snippet;
} snippet_slot;

/*
 * Readers' views of current versions already made (read.c): a view is
 * keyed by everything it is made from — the document id, the version's
 * content hash (versions never change; a release, withholding or marking
 * makes a new one), the reader's access (public, or level and
 * compartments: dc_db_reader_key) — so one reader's view is never handed
 * to another, and an entry is found only through the current version's
 * hash.  The known persons a view is matched against are the handle's
 * (dc_db_persons_forget empties the memo with them).  Bounded: VIEW_SLOTS
 * views, VIEW_BYTES estimated bytes (dc_db_doc_bytes), least recently
 * used first out; a view over VIEW_BYTES / 4 is not kept.
 */
#define VIEW_SLOTS 64
#define VIEW_BYTES ((size_t)8 << 20)
/*
 * What a page renders of a view the handle lends (dc_db_show_lent; the
 * HTML, the citations, the Highwire tags: dc_db_render), kept with the
 * view for one state of the database (dc_store_state, read in a read
 * snapshot: nothing committed by anyone since).  A rendering reads other
 * documents as the reader (a reference's link), the volume's header and
 * its lists: all in the database, all the same while nothing was
 * committed; the view's slot is this reader's (its key).
 */
#define SLOT_OUTS 6
typedef struct view_out {
    const void *format; /* the dc_db_format, NULL: empty */
    uint64_t state[2];
    char *s;
    size_t len;
} view_out;
typedef struct view_slot {
    char *key;
    dc_doc *view;
    size_t bytes;
    uint64_t used;
    unsigned pins; /* lent out (dc_db_view_pin): not evicted until unpinned */
    size_t idlen;  /* the key's first idlen bytes are the id */
    uint64_t epoch; /* links_epoch when last found current (dc_db_view_pin) */
    view_out outs[SLOT_OUTS];
} view_slot;

/*
 * Answers the connected-record engine had from the store and the index
 * (links.c): the document numbered N in a collection, the documents citing
 * a value.  Keyed by the question and, for the index's, by the reader's
 * access (dc_db_reader_key): the index answers as the reader.  An answer
 * holds for one state of the store, named by its largest docid when the
 * engine was given the database (dc_db_links_env): every change to a
 * document adds a version (docids only grow; versions are never changed
 * or deleted) and the index follows the store, so while that docid is the
 * same the answers are.  Direct-mapped, LINK_SLOTS entries.
 */
#define LINK_SLOTS 256
typedef struct link_slot {
    uint64_t epoch; /* the store's largest docid when answered; 0 = empty */
    char *key;
    dc_strv ids;    /* the answer: ids in order (numbered: none or one) */
} link_slot;

/*
 * Versions this handle stored, not yet indexed, in docid order: the next
 * dc_db_index takes them from here instead of reading each back from the
 * store and parsing its JSON (a quarter of an ingest's time).  Bounded by
 * FRESH_MAX_BYTES (an estimate of their memory); past it, later versions
 * are read back as before.  Entries of a part or batch that is undone are
 * dropped with it (dc_db_fresh_drop), so only committed versions remain.
 */
#define FRESH_MAX_BYTES ((size_t)32 << 20)
typedef struct fresh_doc {
    uint64_t docid;
    dc_doc *doc;
    size_t bytes;
} fresh_doc;
typedef struct fresh_list {
    fresh_doc *v;
    size_t n, cap, bytes;
} fresh_list;

/*
 * What pages read of a collection, kept by the handle for one state of the
 * database (dc_db_snapshot_state: read in a read snapshot, nothing
 * committed by anyone since): the stored volume (lent by
 * dc_db_volume_borrow), a reader's volume (dc_db_volume_of, keyed by the
 * collection and the reader's access as the memo of views is) and the
 * entries of a List of Persons (dc_db_doc_persons).  A few of each, least
 * recently used out (volumes.c, persons.c).
 */
#define KEPT_SLOTS 4
typedef struct kept_slot {
    uint64_t state[2];
    char *key;      /* the collection; for a reader's volume "collection\x1freader" */
    dc_volume *vol; /* a volume (NULL: the collection has none stored) */
    dc_strv rows;   /* a list's entries: collection, xml_id, name, description */
    unsigned lent;  /* borrowed and not yet returned: not replaced */
    uint64_t used;
} kept_slot;
void dc_db_kept_forget(dc_db *db);
/* The slot of s[KEPT_SLOTS] holding key for state, or NULL. */
kept_slot *dc_db_kept_find(dc_db *db, kept_slot *s, const char *key, const uint64_t state[2]);
/* An emptied slot of s to keep key for state in (the least recently used
 * of those not lent), or NULL when all are lent or out of memory. */
kept_slot *dc_db_kept_take(dc_db *db, kept_slot *s, const char *key, const uint64_t state[2]);
/* The state of the database in the open read snapshot (read.c; read once
 * per snapshot): 1, or 0 when none is open (then nothing is kept). */
int dc_db_snapshot_state(dc_db *db, uint64_t state[2]);

/* A collection's documents in listing order, for a document page's
 * previous and next links (volumes.c). */
typedef struct dc_order_memo dc_order_memo;
void dc_db_order_forget(dc_db *db);

struct dc_db {
    dc_store *st;
    snippet_slot *snippets; /* SNIPPET_SLOTS, allocated on first search */
    char *index_dir;  /* "<database>.index" */
    dc_index *ix;     /* opened on first use */
    dc_analyzer *an;  /* created on first search */
    int server;       /* opened with DC_DB_SERVER (a long-running program) */
    /* Who is acting: user NULL is the anonymous public reader. */
    char *user;
    int level, roles;
    dc_strv comps;
    /* The scan cache files of the documents of the open ingest batch,
     * removed when it commits (src/scan: dc_scan_opts.cache_dir). */
    dc_strv scan_cached;
    long long generation; /* the user row's credential generation when read */
    char agency[72];      /* the agency the user reviews for, "" for none */
    char errmsg[1024];
    dc_persons *persons; /* known persons (facade/persons.c), or NULL */
    fresh_list fresh;    /* stored and not yet indexed (facade/ingest.c) */
    dc_audit_queue *aq;  /* read rows go through it (facade/audit.c), or NULL */
    view_slot *views;    /* VIEW_SLOTS, allocated on first use (read.c), or NULL */
    link_slot *links;    /* LINK_SLOTS, allocated on first use (links.c), or NULL */
    uint64_t links_epoch; /* the store's largest docid for links (0: no memo) */
    dc_order_memo *order; /* a collection's listing order (volumes.c), or NULL */
    kept_slot kept_vols[KEPT_SLOTS];  /* stored volumes (volumes.c) */
    kept_slot kept_rvols[KEPT_SLOTS]; /* readers' volumes (volumes.c) */
    kept_slot kept_lists[KEPT_SLOTS]; /* Lists of Persons (persons.c) */
    uint64_t kept_tick;
    int reading;         /* dc_db_read_begin's depth */
    uint64_t state_snap; /* the read snapshot state[] was read in (read.c), 0: none */
    uint64_t state[2];   /* dc_store_state then */
    size_t view_bytes;
    uint64_t view_tick;
};

/* An audit row that owns its strings (one allocation, mem): the rows a
 * server's queue and an ingest's batch hold until they are written
 * (dc_store_audit_rows).  make: DC_OK or DC_NOMEM. */
typedef struct dc_audit_copy {
    dc_audit_row r;
    char *mem;
} dc_audit_copy;
dc_rc dc_audit_copy_make(dc_audit_copy *out, const char *at, const char *user, const char *action,
                         const char *target, const char *detail);
void dc_audit_copy_free(dc_audit_copy *r);

/* Queues an audit row on aq (facade/audit.c): DC_OK, or DC_IO (the queue
 * has been full for seconds: the writer cannot write), DC_MISUSE (closed),
 * DC_NOMEM, DC_INTERNAL (no clock), with the message in msg[0..cap). */
dc_rc dc_audit_queue_add(dc_audit_queue *aq, const char *user, const char *action,
                         const char *target, const char *detail, char *msg, size_t cap);

/* A format of formats.c: the public part and how a document is written
 * in it (NULL for export-only formats, which export.c writes itself). */
typedef struct dc_db_format {
    dc_format pub;
    dc_rc (*render)(const dc_doc *doc, const dc_render_html_opts *html, dc_buf *out);
    int cites; /* a citation: rendered with the volume's stored header */
} dc_db_format;
const dc_db_format *dc_db_format_find(const char *name, int use);

/* Keeps doc (taking it: it is freed now or later) as the version docid the
 * store just added, if within FRESH_MAX_BYTES and in docid order. */
void dc_db_fresh_keep(dc_db *db, uint64_t docid, dc_doc *doc);
/* Frees the entries from the n-th on (n 0: all of them). */
void dc_db_fresh_drop(dc_db *db, size_t n);
/* A mark of the list as it is (the docid of its last entry, 0 when empty)
 * and the freeing of every entry kept after it (a part or batch undone).
 * A docid, not a position: a live index step (dc_db_live_index_step)
 * forgets entries from the front meanwhile. */
uint64_t dc_db_fresh_mark(const dc_db *db);
void dc_db_fresh_drop_after(dc_db *db, uint64_t mark);
/* The kept document of version docid, or NULL. */
const dc_doc *dc_db_fresh_find(const dc_db *db, uint64_t docid);
/* Takes the kept document of version docid (NULL if none) out of the
 * list, which keeps its entry until dc_db_fresh_forget; *bytes is its
 * estimated memory. */
dc_doc *dc_db_fresh_take(dc_db *db, uint64_t docid, size_t *bytes);
/* Frees the entries of versions up to docid (indexed already). */
void dc_db_fresh_forget(dc_db *db, uint64_t docid);

/* The index an ingest keeps up as it stores (facade/search.c). */
typedef struct live_worker live_worker;
typedef struct dc_live_index {
    dc_index_writer *w; /* shared writer, or NULL */
    live_worker *worker; /* the thread that fills w, or NULL */
    uint64_t upto;      /* versions up to this docid are given to w */
    uint64_t committed; /* ... and up to this one committed in the store */
    int off;            /* given up: the catch-up after the ingest indexes */
} dc_live_index;
/* Indexes the versions stored since the last step, in the ingest's open
 * transaction or committed; never fails (a failure turns live indexing
 * off).  While it holds versions not yet committed, the writer publishes
 * nothing (dc_index_writer_defer): a crash must never leave the index
 * ahead of the store. */
void dc_db_live_index_step(dc_db *db, dc_live_index *li);
/* The store committed everything stepped so far: the writer may publish. */
void dc_db_live_index_committed(dc_live_index *li);
/* The store rolled back what was stored after li->upto was `since` (a
 * batch: li->committed; a file's part: li->upto when it began): if the
 * writer was given any of it, live indexing stops and the catch-up after
 * the ingest indexes from the store. */
void dc_db_live_index_undone(dc_live_index *li, uint64_t since);
/* Publishes what the steps indexed; a failure leaves the rest to
 * dc_db_index, which follows every ingest and merges segments. */
void dc_db_live_index_end(dc_live_index *li);
/* Once everything given is committed in the store: the worker commits the
 * writer (its last segment) once it has indexed the rest, while the
 * caller goes on (the ingest's last checkpoint); dc_db_live_index_end
 * waits for it.  Nothing but dc_db_live_index_end may follow. */
void dc_db_live_index_finish(dc_live_index *li);

/* Sets db's message and returns rc. */
dc_rc dc_db_fail(dc_db *db, dc_rc rc, const char *fmt, ...) DC_PRINTF(3, 4);
/* The reader the access module decides for: the signed-in user, or the
 * anonymous public. */
dc_access_reader dc_db_reader(const dc_db *db);
/* Appends to b what a reader's view depends on of the acting reader:
 * "public", or the level and the compartments. */
void dc_db_reader_key(const dc_db *db, dc_buf *b);
/* About the memory doc holds (an estimate, for caps). */
size_t dc_db_doc_bytes(const dc_doc *d);
/* Empties the memo of views (read.c; also done by dc_db_persons_forget):
 * never while a view is pinned. */
void dc_db_views_forget(dc_db *db);
/* The reader's view of the current version of id without a copy, for the
 * engine's access (dc_db_links_env): *out is borrowed (from the memo of
 * views, or owned by the handle when the memo cannot keep it) until
 * dc_db_view_unpin(db, *out), which every caller makes; as dc_db_view
 * otherwise.  A view the memo found current for this reader in the
 * store's state db->links_epoch names is current while it does: it is
 * lent without asking the store again. */
dc_rc dc_db_view_pin(dc_db *db, const char *id, const dc_doc **out, int *denied);
void dc_db_view_unpin(dc_db *db, const dc_doc *v); /* NULL: no-op */
/* dc_db_view_pin for a search hit: the version docid of id (the one the
 * index holds), read by its rowid, while it is id's current version; a
 * newer version stored since is DC_NOTFOUND (the hit is gone).  current:
 * the caller's read snapshot shows no version newer than the index that
 * found the hit (dc_store_status_docid).  Only a server's handle keeps
 * the view in the memo: a command's search pages once, and ten kept views
 * were fifty pages of new heap. */
dc_rc dc_db_view_pin_hit(dc_db *db, const char *id, uint64_t docid, int current, const dc_doc **out,
                         int *denied);
/* Appends to the audit log under the acting user's name. */
dc_rc dc_db_audit_add(dc_db *db, const char *action, const char *target, const char *detail);
/* Refuses (audited) unless the acting user holds one of the roles. */
dc_rc dc_db_require_role(dc_db *db, int roles, const char *action, const char *target);
/*
 * The reader's view of doc (dc_access_view), with everything extracted
 * from its text — references, file numbers, persons, a date read from
 * text — derived again from the view alone when anything was hidden.  The
 * one way a reader is shown a document: every read, listing, snippet,
 * export and index entry is made from it.  *out owned by the caller;
 * DC_NOTFOUND when r may not read doc.
 */
dc_rc dc_db_view_doc(dc_db *db, const dc_access_reader *r, const dc_doc *doc, dc_doc **out);
/* dc_db_list for the documents of one collection (NULL: all), not
 * audited; *n (may be NULL) gets the number listed. */
dc_rc dc_db_list_in(dc_db *db, const char *collection, dc_summary_cb cb, void *ctx, long *n);
/* The volume of collection as ingest stored it (volumes.c: header and
 * contents by local id, nothing of any reader's view), or *out NULL when
 * none is stored.  *out owned by the caller. */
dc_rc dc_db_volume_stored(dc_db *db, const char *collection, dc_volume **out);
/* The same, borrowed: in a read snapshot (dc_db_read_begin) the handle
 * keeps what it read for that state of the database (kept_slot), so a
 * page that cites the document three ways, writes its Highwire tags and
 * its trail reads and parses the volume once, and the next pages not at
 * all; outside one it is read each time.  Every *out (NULL too) is given
 * back with dc_db_volume_return. */
dc_rc dc_db_volume_borrow(dc_db *db, const char *collection, const dc_volume **out);
/* Frees a document's references (n_refs 0), to be extracted again. */
void dc_db_drop_refs(dc_doc *v);
/* dc_db_view_doc in place on a document the caller owns (no copy):
 * DC_NOTFOUND with doc unchanged when r may not read it; after another
 * failure doc must only be freed. */
dc_rc dc_db_restrict(dc_db *db, const dc_access_reader *r, dc_doc *doc);
/* The reader's view of version (0: current) of id (*out owned by the
 * caller); an unreadable document is DC_NOTFOUND like a missing one, with
 * *denied set. */
dc_rc dc_db_view(dc_db *db, const char *id, int version, dc_doc **out, int *denied);
/* The stored version behind the reader's version (read.c: the first
 * stored version of the run the reader sees as one). */
dc_rc dc_db_stored_version(dc_db *db, const char *id, int version, int *stored);
/* dc_db_view for a read a user asked for: a missing or unreadable id is
 * audited (read-missing / read-refused, detail what) with the message of a
 * missing one kept. */
dc_rc dc_db_read(dc_db *db, const char *id, int version, const char *what, dc_doc **out);
/* The message of a document that does not exist, and of one the reader
 * may not read: the same, so a refusal tells nothing.  Returns DC_NOTFOUND. */
dc_rc dc_db_no_document(dc_db *db, const char *id);
/* A copy of the user row a lookup found: dc_store_user_get(st, name,
 * dc_db_user_copy, &row), then dc_db_user_copy_release(&row). */
typedef struct dc_db_user_row {
    int found, level, roles, disabled;
    long long generation;
    char *hash;
    dc_strv comps;
    char agency[72];
} dc_db_user_row;
dc_rc dc_db_user_copy(void *ctx, const dc_user_info *u);
void dc_db_user_copy_release(dc_db_user_row *c); /* wipes the hash */
/* Loads the current version of id for review action by a reviewer (an
 * unreadable document is "no document"; portion, when given, must be one
 * they may act on: its index in *pi).  review.c. */
dc_rc dc_db_review_load(dc_db *db, const char *action, const char *id, const char *portion,
                        dc_doc **out, size_t *pi);
/* The review request of id as its row's strings copied (workflow.c):
 * *state NULL when there is none. */
typedef struct dc_db_review {
    char *state, *kind, *received, *due, *record;
} dc_db_review;
dc_rc dc_db_review_get(dc_db *db, const char *id, dc_db_review *out);
void dc_db_review_release(dc_db_review *r);
/* Checks that id may be released now (its review, if any, is approved)
 * and, after the release stored as version, records it (workflow.c):
 * the release's transaction is the caller's. */
dc_rc dc_db_review_may_release(dc_db *db, const char *id);
dc_rc dc_db_review_released(dc_db *db, const char *id, int version);
/* 1 if the acting user may lift a withholding of agency (NULL: anyone):
 * once a document is referred to an agency, that agency decides its
 * withholdings (workflow.c). */
int dc_db_review_agency_ok(dc_db *db, const char *id, const char *agency);
/* The reader's view of stored version `stored` of id (today's rules), as
 * dc_db_view is of a reader's version.  read.c. */
dc_rc dc_db_view_stored(dc_db *db, const char *id, int stored, dc_doc **out, int *denied);
/* Every stored version of id, oldest first, with the number of the
 * reader's version it falls in (dc_db_versions; 0: before any the reader
 * may open).  No access check: the caller has made it.  read.c. */
typedef dc_rc (*dc_stored_version_cb)(void *ctx, const dc_version_info *v, int reader_version);
dc_rc dc_db_stored_versions(dc_db *db, const char *id, dc_stored_version_cb cb, void *ctx);
/* dc_db_withholdings, audited (a listing asked for) or not (the answer
 * of a withhold or lift showing its withholding).  review.c. */
dc_rc dc_db_withholdings_each(dc_db *db, const char *id, int audit, dc_withholding_cb cb,
                              void *ctx);
/* Whether any administrator exists (the first user becomes one). */
dc_rc dc_db_has_admin(dc_db *db, int *yes);
/* Brings the index up to the store: indexes every version not yet in it
 * (each view of it, search.c) and forgets deleted ones; then merges index
 * segments as the index's policy asks.  For writers (ingest, review):
 * searches catch up without merging (dc_db_search_ready). */
dc_rc dc_db_index(dc_db *db);
/* Opens the index and the analyzer and brings the index up to the store. */
dc_rc dc_db_search_ready(dc_db *db);

/* ---- connected records (links.c, persons.c; engine in src/links/) ---- */
/* The engine's access to db (links/links.h): everything as db's reader —
 * views through dc_db_view, numbered documents, the index's candidates. */
void dc_db_links_env(dc_db *db, dc_links_env *env);
/* Frees the memo of the engine's answers (link_slot). */
void dc_db_links_forget(dc_db *db);
/* FNV-1a of n bytes. */
uint64_t dc_db_hash(const void *p, size_t n);
/* Drops the known persons loaded from the store (they are loaded again on
 * next use): after a list was stored, and at the start of each ingest. */
void dc_db_persons_forget(dc_db *db);
/* Loads the known persons now if they are not (a lookup then reads the
 * store no more until they are dropped); DC_OK or why not. */
dc_rc dc_db_persons_load(dc_db *db);
/* The canonical name ("Eisenhower, Dwight D.") of entry xml_id of the
 * persons list of collection, or NULL (unknown, or the store failed).
 * Borrowed until dc_db_persons_forget. */
const char *dc_db_person_name(dc_db *db, const char *collection, const char *xml_id);
/* Adds to doc->persons the known persons its text names (dc_persons_match):
 * the name as written and the canonical name. */
dc_rc dc_db_persons_match(dc_db *db, dc_doc *doc);

#endif
