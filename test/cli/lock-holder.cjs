// Holds an exclusive lock on an SQLite file until its standard input closes (for the locked-database test).
const Database = require('better-sqlite3');
const db = new Database(process.argv[2]);
db.pragma('locking_mode = EXCLUSIVE');
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\n');
process.stdin.resume();
process.stdin.on('end', () => {
  db.exec('ROLLBACK');
  db.close();
});
