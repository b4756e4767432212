// A fetch for the API client's tests: answers from a list, in order, and records what it was asked.
export interface FetchCall {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
  form: FormData | null;
}

export function fakeFetch(answers: (Response | Error | ((call: FetchCall) => Response))[]) {
  const calls: FetchCall[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const call = { url: String(input), method: init.method ?? "GET", headers: new Headers(init.headers), body: typeof init.body === "string" ? init.body : null, form: init.body instanceof FormData ? init.body : null };
    calls.push(call);
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${call.url}`);
    if (next instanceof Error) throw next;
    return typeof next === "function" ? next(call) : next;
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

/** A JSON answer. */
export const ok = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
