import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

describe("logger", () => {
  it("redacts bearer tokens and provider keys wherever we log them", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger("info", sink);
    const token = "isk_supersecretsupersecretsupersecretsupersec";
    logger.info({ req: { headers: { authorization: `Bearer ${token}` } } }, "request");
    logger.info({ headers: { authorization: `Bearer ${token}` } }, "headers");
    logger.info({ member: { token } }, "issued");
    logger.info({ config: { port: 1, providerKeys: { STABILITY_API_KEY: "sk-live-123" } } }, "config");
    logger.info({ STABILITY_API_KEY: "sk-live-123", upstream: { apiKey: "sk-live-123" } }, "env");
    const out = lines.join("");
    expect(lines).toHaveLength(5);
    expect(out).not.toContain(token);
    expect(out).not.toContain("sk-live-123");
    expect(out).toContain("[redacted]");
    expect(out).toContain('"port":1'); // what is not secret stays
  });
});
