// API tokens: 32 random bytes, shown once, stored only as their sha256 so a leaked database leaks no token.
import { createHash, randomBytes } from "node:crypto";

export const TOKEN_PREFIX = "isk_";
/** isk_ + 43 base64url chars (32 bytes). */
export const TOKEN_PATTERN = /^isk_[A-Za-z0-9_-]{43}$/;

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
