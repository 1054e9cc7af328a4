/** @module One durable, single-process SQLite file (WAL, synchronous=FULL, exclusive lock): the publisher outbox and the fallback journal. */
import Database from "better-sqlite3";
import { BaseError, ErrorCode } from "../../common/errors.js";

/**
 * Opens (creating) `path`, runs `schema`, and takes the exclusive lock at once — a second process fails fast
 * (500 ms, not SQLite's 5 s) with an Unavailable error naming `what` rather than sharing the file.
 */
export function openExclusiveDb(path: string, what: string, schema: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: 500 });
    db.defaultSafeIntegers(true);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec(schema);
    db.exec("BEGIN IMMEDIATE; COMMIT;"); // takes the exclusive lock now rather than at first write
    return db;
  } catch (e) {
    if (db?.open) db.close();
    throw new BaseError(ErrorCode.Unavailable, `cannot open ${what} ${path}`, {
      details: "another process may hold it",
      cause: e,
    });
  }
}
