import { describe, expect, it } from "vitest";
import { base32, newId } from "./ids.ts";

describe("ids", () => {
  it("are a prefix plus 26 base32 chars of random bytes", () => {
    expect(newId("job")).toMatch(/^job_[a-z2-7]{26}$/);
    expect(base32(Uint8Array.from([0xff, 0x00]))).toBe("74aa");
  });

  it("never repeat and are not sequential", () => {
    const ids = Array.from({ length: 2000 }, () => newId("ast"));
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...ids].sort();
    expect(sorted).not.toEqual(ids);
  });
});
