import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateToken, hashToken, TOKEN_PATTERN } from "./tokens.ts";

describe("tokens", () => {
  it("are isk_ + 32 random bytes in base64url", () => {
    const token = generateToken();
    expect(token).toMatch(TOKEN_PATTERN);
    expect(Buffer.from(token.slice(4), "base64url")).toHaveLength(32);
    expect(generateToken()).not.toBe(token);
  });

  it("are stored as their sha256 in hex", () => {
    const token = generateToken();
    expect(hashToken(token)).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});
