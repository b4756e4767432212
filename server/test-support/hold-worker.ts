// Test fixture: a separate process that races other processes for holds on the same database.
// argv: <DATABASE_URL> <team id> <attempts> <amount> <start at (epoch ms)>
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { SqlLedger } from "../ledger/sql-ledger.ts";
import { InsufficientCreditsError } from "../ledger/types.ts";
import { connectTestDb } from "./databases.ts";

const [url, teamId, attempts, amount, startAt] = process.argv.slice(2);
const db = await connectTestDb(url!);
const ledger = new SqlLedger(db, DEFAULT_CATALOG);
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
let ok = 0;
let refused = 0;
// Concurrent inside the process too: several transactions in flight per process.
await Promise.all(
  Array.from({ length: Number(attempts) }, async (_, i) => {
    try {
      const hold = await ledger.hold({ teamId: teamId!, memberId: null, amount: Number(amount), ttlMs: 60_000 });
      // Capture half of them so captures interleave with holds across processes.
      if (i % 2 === 0) await ledger.capture(hold.id);
      ok++;
    } catch (error) {
      if (!(error instanceof InsufficientCreditsError)) throw error;
      refused++;
    }
  }),
);
await db.close();
console.log(JSON.stringify({ ok, refused }));
