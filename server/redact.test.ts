import { describe, expect, it } from "vitest";
import { redactor, secretForms } from "./redact.ts";

const KEY = "sk-LiVe_4f9a0b2c7d1e8f3a6b5c9d0e/2f7a+1b=";
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("redactor", () => {
  const redact = redactor([KEY]);

  it.each([
    ["as is", KEY],
    ["base64", b64(KEY)],
    ["base64url", Buffer.from(KEY).toString("base64url")],
    ["base64 inside HTTP Basic credentials (offset 1 mod 3)", b64(`u:${KEY}`)],
    ["base64 at offset 2 mod 3", b64(`ab${KEY}`)],
    ["base64 at offset 0 mod 3 with more after", b64(`abc${KEY}:tail`)],
    ["URL-encoded", encodeURIComponent(KEY)],
    ["URL-encoded with lower-case escapes", encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
    ["URL-encoded twice", encodeURIComponent(encodeURIComponent(KEY))],
    ["hex", Buffer.from(KEY).toString("hex")],
    ["HEX", Buffer.from(KEY).toString("hex").toUpperCase()],
    ["JSON with escaped slashes", KEY.replace(/\//g, "\\/")],
  ])("removes the key written %s from a provider's error text, keeping the words around it", (_how, form) => {
    const text = `401 Unauthorized: we got Authorization: Basic ${form}; check https://api.example/v1?key=${form}&x=1 (request 42)`;
    const out = redact(text);
    expect(out).not.toContain(form);
    for (const f of [KEY, b64(KEY), encodeURIComponent(KEY), Buffer.from(KEY).toString("hex")]) expect(out).not.toContain(f);
    expect(out).toContain("[redacted]");
    expect(out).toMatch(/^401 Unauthorized: we got Authorization: Basic /);
    expect(out).toContain("(request 42)");
  });

  it("leaves no decodable bytes of the key next to a redacted base64 run", () => {
    for (const prefix of ["", "u:", "ab:"]) {
      const out = redact(`token=${b64(prefix + KEY)} end`);
      expect(out).toBe("token=[redacted] end");
    }
  });

  it("leaves other text alone, and knows several keys", () => {
    const two = redactor([KEY, "AIzaSyD-1234567890abcdefghijklmnop", undefined, ""]);
    expect(two("nothing secret here: 200 OK, 3 images")).toBe("nothing secret here: 200 OK, 3 images");
    expect(two(`a ${b64("AIzaSyD-1234567890abcdefghijklmnop")} b ${encodeURIComponent(KEY)}`)).toBe("a [redacted] b [redacted]");
    expect(redactor([])("anything")).toBe("anything");
  });

  it("looks for encodings only where they are long enough to be the key's alone", () => {
    expect(secretForms("g")).toEqual(["g"]); // a test key: only itself (as before)
    expect(secretForms(KEY).every((f) => f === KEY || f.length >= 12)).toBe(true);
  });
});
