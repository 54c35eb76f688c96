/*
 * The inventory's two SQL backends behind one small interface: SQLite (a
 * file) and PostgreSQL (libpq, a "postgresql://" or "postgres://" URL).
 *
 * Why by hand: no Debian library abstracts both, and the inventory needs
 * only five things from a database — run a statement, read rows of text,
 * transactions, insert many rows at once, and say which dialect it is (for
 * the few DDL words that differ). SQL is written once with '?' markers;
 * for PostgreSQL they become $1..$n. Every value travels as text (or
 * NULL): SQLite's column affinity and PostgreSQL's inference of untyped
 * parameters turn them into the column's type.
 *
 * Concurrency: SQLite runs in WAL mode with a busy timeout, and write
 * transactions start with BEGIN IMMEDIATE so that two writers never
 * deadlock on a lock upgrade; a busy error is retried by the caller
 * (inv_db_busy()). PostgreSQL serialises conflicting inserts itself.
 */
#ifndef IOTA_INVENTORY_INV_DB_H
#define IOTA_INVENTORY_INV_DB_H

#include <stddef.h>

typedef struct inv_db inv_db;

enum inv_dialect { INV_SQLITE = 0, INV_PG = 1 };

/* Rows of a result, every cell text or NULL, row-major. */
typedef struct inv_rows {
	size_t nrows, ncols;
	char **cells;
} inv_rows;

/* Opens url: "postgresql://..." / "postgres://..." or a SQLite file path
 * (created when missing). Returns 0, or -1 with the reason in err. */
int inv_db_open(inv_db **out, const char *url, char *err, size_t errcap);
void inv_db_close(inv_db *db);
enum inv_dialect inv_db_dialect(const inv_db *db);
/* The last error message. */
const char *inv_db_error(const inv_db *db);
/* True when the last error was a lock held by another writer (SQLite
 * busy, PostgreSQL serialization failure or deadlock): retry the whole
 * transaction. */
int inv_db_busy(const inv_db *db);

/* Runs sql with n text parameters; rows (if out is not NULL) are returned.
 * Returns 0 or -1. */
int inv_db_query(inv_db *db, const char *sql, size_t n, const char *const *params, inv_rows *out);
/* Runs a script of statements without parameters (DDL). */
int inv_db_script(inv_db *db, const char *sql);
const char *inv_rows_get(const inv_rows *r, size_t row, size_t col);
void inv_rows_free(inv_rows *r);

/* BEGIN (IMMEDIATE on SQLite) / COMMIT / ROLLBACK. */
int inv_db_begin(inv_db *db);
int inv_db_commit(inv_db *db);
void inv_db_rollback(inv_db *db);

/* INSERT INTO head (ncols columns) VALUES (...),(...) for nrows rows of
 * values (row-major, text or NULL), in chunks; 'tail' is appended to every
 * statement (e.g. "ON CONFLICT DO NOTHING"). Returns 0 or -1. */
int inv_db_insert_many(inv_db *db, const char *head, size_t ncols, const char *tail,
                       const char *const *values, size_t nrows);

#endif
