/** @module Opens the store's SQLite database: pragmas for crash safety and the versioned tables. */
import Database from "better-sqlite3";

/** Bumped only with a migration; a database from another schema version is refused. */
export const SCHEMA_VERSION = 1;

// latest:  key -> current value and the height (since) it was written at. One indexed lookup per read.
// history: key, until -> a replaced/deleted value that held for heights [since, until). Only kept
//          inside the retention window; a key absent before `since` needs no row (see readers.ts).
// nodes:   (version, path) -> a tree page: four binary levels of the tree (pages.ts). Immutable.
//          Version first (as in Jellyfish) so a block's new pages are appended at the end of the
//          B-tree instead of dirtying pages all over it.
// retired: version -> the (path, version) keys of pages the tree at `version` stopped using; they
//          are deleted once every height that used them has left the retention window (IAVL's
//          orphans, one row per height).
// roots:   version -> root reference (kind, version of the root page) and app hash of each height.
const DDL = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS latest (key BLOB PRIMARY KEY, value BLOB NOT NULL, since INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history (
  key BLOB NOT NULL, until INTEGER NOT NULL, since INTEGER NOT NULL, value BLOB NOT NULL,
  PRIMARY KEY (key, until)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS history_until ON history (until);
CREATE TABLE IF NOT EXISTS nodes (version INTEGER NOT NULL, path BLOB NOT NULL, data BLOB NOT NULL,
  PRIMARY KEY (version, path)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retired (version INTEGER PRIMARY KEY, nodes BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS roots (version INTEGER PRIMARY KEY, kind INTEGER NOT NULL,
  node_version INTEGER NOT NULL, hash BLOB NOT NULL);
`;

export interface OpenDatabaseOptions {
  /** "full" (default) fsyncs every commit; "normal" may lose the last block on power loss (never corrupts). */
  synchronous?: "full" | "normal";
}

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
    db.pragma("cache_size = -131072"); // 128 MiB of page cache: the upper tree levels and hot values
    db.pragma("temp_store = MEMORY");
    // A block dirties thousands of SQLite pages; checkpointing every ~40 MiB of WAL instead of the
    // default 4 MiB copies hot pages (upper tree levels, busy accounts) back once per several blocks
    // rather than at every commit. The WAL file is truncated back to 64 MiB after a checkpoint.
    db.pragma("wal_autocheckpoint = 10000");
    db.pragma("journal_size_limit = 67108864");
    db.exec(DDL);
    const row = db.prepare("SELECT value FROM meta WHERE name = 'schema_version'").pluck().get() as number | undefined;
    if (row === undefined) {
      db.prepare("INSERT INTO meta (name, value) VALUES ('schema_version', ?)").run(SCHEMA_VERSION);
    } else if (row !== SCHEMA_VERSION) {
      throw new Error(`chain store schema version ${row} is not supported (expected ${SCHEMA_VERSION})`);
    }
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
