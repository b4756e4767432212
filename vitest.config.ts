import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{core,plugin,ui,server,scripts,test}/**/*.test.{ts,tsx}"],
    // Server and browser tests start real processes and databases; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ["default", ["json", { outputFile: "test-results/vitest.json" }]],
  },
});
