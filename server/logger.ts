// One pino logger for the proxy. Bearer tokens and provider keys must never reach a log line, so the
// redaction list covers every place they could appear in what we log (headers, config, error details), and
// every line is scrubbed of the provider keys themselves in any encoding (a provider's error text that
// echoes one, an error's message or stack; see redact.ts).
import { pino, type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config.ts";
import type { Redactor } from "./redact.ts";

export type { Logger } from "pino";

export const REDACT_PATHS = [
  "authorization",
  "Authorization",
  "headers.authorization",
  "req.headers.authorization",
  "request.headers.authorization",
  "*.headers.authorization",
  "token",
  "*.token",
  "apiKey",
  "*.apiKey",
  "providerKeys",
  "*.providerKeys",
  "config.providerKeys",
  "STABILITY_API_KEY",
  "WAVESPEED_API_KEY",
  "HF_TOKEN",
  "GEMINI_API_KEY",
  "*.STABILITY_API_KEY",
  "*.WAVESPEED_API_KEY",
  "*.HF_TOKEN",
  "*.GEMINI_API_KEY",
];

export function createLogger(level: LogLevel, destination?: DestinationStream, redact?: Redactor): Logger {
  const options = { level, base: { service: "image-studio-proxy" }, redact: { paths: REDACT_PATHS, censor: "[redacted]" } };
  if (!redact) return destination ? pino(options, destination) : pino(options);
  const target = destination ?? pino.destination(1);
  return pino(options, { write: (line: string) => target.write(redact(line)) });
}
