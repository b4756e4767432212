import { describe, expect, it } from "vitest";
import { createFakeFigma } from "../testing/fake-figma/index.ts";
import { startPlugin } from "../testing/fake-port.ts";

describe("notify", () => {
  it("shows the panel's toast on the canvas, as an error when asked", async () => {
    const fake = createFakeFigma();
    const send = startPlugin(fake);
    await send({ type: "notify", message: "Copied" });
    await send({ type: "notify", message: "The proxy is unreachable", error: true });
    expect(fake.notifications.map(({ message, error }) => ({ message, error }))).toEqual([
      { message: "Copied", error: false },
      { message: "The proxy is unreachable", error: true },
    ]);
    expect(fake.posted).toEqual([]);
  });
});
