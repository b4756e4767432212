// Run as its own process by server/db/group-commit.test.ts: starts many transactions at once on a SQLite
// file, prints "ack <n>" as each is acknowledged, and kills itself (SIGKILL, no cleanup) from inside a
// transaction once enough were acknowledged, in the middle of a group.
import { openSqlite } from "../db/open-sqlite.ts";
import { SqliteDb } from "../db/sqlite-db.ts";

const [file, total, killAfter] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const db = new SqliteDb(openSqlite(file));
await db.exec("CREATE TABLE IF NOT EXISTS pairs (n INTEGER NOT NULL, half TEXT NOT NULL, PRIMARY KEY (n, half))");
let acked = 0;
await Promise.all(
  Array.from({ length: total }, (_, n) =>
    db
      .tx(async (sql) => {
        await sql.run("INSERT INTO pairs (n, half) VALUES ($1, 'a')", [n]);
        if (acked >= killAfter) process.kill(process.pid, "SIGKILL");
        await sql.run("INSERT INTO pairs (n, half) VALUES ($1, 'b')", [n]);
      })
      .then(() => {
        acked++;
        process.stdout.write(`ack ${n}\n`);
      }),
  ),
);
