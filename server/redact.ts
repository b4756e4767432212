// Provider keys must never reach a job's error, a log line or a response, in any spelling. Providers and
// the gateways in front of them echo what they were sent in error text: the key as is, the request URL
// (the key URL-encoded, as in Gemini's `?key=`), the Authorization header (the key base64-encoded inside
// HTTP Basic credentials, after "user:"), or a hex dump of the bytes. Every such form is replaced.

const MIN_FORM = 12; // shorter encoded pieces could match ordinary text; real keys are far longer
const B64_CHAR = /[A-Za-z0-9+/_-]/;

function base64Cores(secret: Buffer): { core: string; urlSafe: boolean }[] {
  const cores: { core: string; urlSafe: boolean }[] = [];
  // Inside a longer encoded string the key starts at any byte offset mod 3; the characters that depend on
  // its bytes alone are those of the groups it fills completely.
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), secret]).toString("base64");
    const core = encoded.slice(offset > 0 ? 4 : 0, Math.floor((offset + secret.length) / 3) * 4);
    if (core.length < MIN_FORM) continue;
    cores.push({ core, urlSafe: false });
    const urlSafe = core.replace(/\+/g, "-").replace(/\//g, "_");
    if (urlSafe !== core) cores.push({ core: urlSafe, urlSafe: true });
  }
  return cores;
}

/** The plain spellings of `secret` to look for: as is, URL-encoded (once and twice, either hex case), hex. */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const encoded = encodeURIComponent(secret);
  const forms = new Set([
    secret,
    secret.replace(/\//g, "\\/"), // JSON writers that escape slashes
    encoded,
    encoded.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    encodeURIComponent(encoded),
    bytes.toString("hex"),
    bytes.toString("hex").toUpperCase(),
  ]);
  // The key itself always; its encodings once long enough to say nothing but the key.
  return [...forms].filter((f) => f === secret || f.length >= MIN_FORM).sort((a, b) => b.length - a.length);
}

export interface Redactor {
  (text: string): string;
}

/** A function that removes every form of every secret from a text. */
export function redactor(secrets: readonly (string | undefined)[]): Redactor {
  const keys = [...new Set(secrets.filter((s): s is string => !!s))];
  const forms = keys.flatMap(secretForms);
  const cores = keys.flatMap((k) => base64Cores(Buffer.from(k, "utf8")));
  if (keys.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join("[redacted]");
    for (const { core } of cores) {
      // The whole base64 run around the key goes: its edge characters carry bits of the key too.
      for (let at = out.indexOf(core); at >= 0; at = out.indexOf(core)) {
        let start = at;
        let end = at + core.length;
        while (start > 0 && B64_CHAR.test(out[start - 1]!)) start--;
        while (end < out.length && B64_CHAR.test(out[end]!)) end++;
        while (out[end] === "=") end++; // padding
        out = `${out.slice(0, start)}[redacted]${out.slice(end)}`;
      }
    }
    return out;
  };
}

/** `redactor([secret])(text)`, for one key. */
export function redactSecret(text: string, secret: string | undefined): string {
  return redactor([secret])(text);
}
