import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, InvalidCursorError, pageLimit, pageOf } from "./cursor.ts";

describe("cursors", () => {
  it("wrap a row's key opaquely and give it back only in the shape it was made in", () => {
    const at = "2026-11-02T10:00:00.123Z";
    expect(encodeCursor(7)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encodeCursor(123456), /^(\d+)$/)).toEqual(["123456"]);
    expect(decodeCursor(encodeCursor(at, "ast_abc"), /^([^|]+)\|([a-z_]+)$/)).toEqual([at, "ast_abc"]);
    for (const bad of ["", "!!", "a+b/", encodeCursor("12x")]) expect(() => decodeCursor(bad, /^(\d+)$/)).toThrow(InvalidCursorError);
  });

  it("page rows read with one extra: the extra says another page follows", () => {
    const rows = [1, 2, 3];
    expect(pageOf(rows, 2, (n) => `after ${n}`)).toEqual({ rows: [1, 2], nextCursor: "after 2" });
    expect(pageOf(rows, 3, (n) => `after ${n}`)).toEqual({ rows: [1, 2, 3], nextCursor: null });
    expect([pageLimit(undefined, 50, 200), pageLimit(0, 50, 200), pageLimit(2.7, 50, 200), pageLimit(999, 50, 200)]).toEqual([50, 1, 2, 200]);
  });
});
