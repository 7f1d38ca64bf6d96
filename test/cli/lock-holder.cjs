// Holds a lock on an SQLite file until its standard input closes, then rolls back. Modes:
//   exclusive (default)  locking_mode=EXCLUSIVE + BEGIN EXCLUSIVE: no other connection may even read
//   write                an open write transaction with an uncommitted row, as a sweep between commits
const Database = require('better-sqlite3');
const db = new Database(process.argv[2]);
if (process.argv[3] === 'write') {
  db.exec('BEGIN IMMEDIATE');
  db.prepare(
    "INSERT INTO studies (name, definition, created_at) VALUES ('uncommitted', 'null', '2026-01-01T00:00:00Z')",
  ).run();
} else {
  db.pragma('locking_mode = EXCLUSIVE');
  db.exec('BEGIN EXCLUSIVE');
}
process.stdout.write('locked\n');
process.stdin.resume();
process.stdin.on('end', () => {
  db.exec('ROLLBACK');
  db.close();
});
