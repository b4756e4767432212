// Public ids are random, never sequential, so one team cannot guess or count another team's jobs or assets.
import { randomFillSync } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"; // RFC 4648 base32, lowercase: URL- and SQL-safe

export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export type IdPrefix = "team" | "mem" | "job" | "hold" | "grant" | "ent" | "ast" | "prj" | "thr" | "alert" | "bat";

// Random bytes are drawn from the CSPRNG 4 KiB at a time: one syscall per 256 ids instead of one per id
// (ids are made several times per ledger transaction).
const pool = new Uint8Array(4096);
let offset = pool.length;

/** `job_` + 26 base32 chars of 16 random bytes. */
export function newId(prefix: IdPrefix): string {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + 16);
  offset += 16;
  return `${prefix}_${base32(bytes)}`;
}
