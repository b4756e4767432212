// Test fixture: a separate process that races other processes for holds on the same SQLite file.
// argv: <db file> <team id> <attempts> <amount> <start at (epoch ms)>
import { openSqlite } from "../../db/open-sqlite.ts";
import { SqliteLedger } from "../sqlite-ledger.ts";
import { InsufficientCreditsError } from "../types.ts";

const [file, teamId, attempts, amount, startAt] = process.argv.slice(2);
const ledger = new SqliteLedger(openSqlite(file!));
while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 1));
let ok = 0;
let refused = 0;
for (let i = 0; i < Number(attempts); i++) {
  try {
    const hold = await ledger.hold({ teamId: teamId!, memberId: null, amount: Number(amount), ttlMs: 60_000 });
    // Capture half of them so captures interleave with holds across processes.
    if (i % 2 === 0) await ledger.capture(hold.id);
    ok++;
  } catch (error) {
    if (!(error instanceof InsufficientCreditsError)) throw error;
    refused++;
  }
}
console.log(JSON.stringify({ ok, refused }));
