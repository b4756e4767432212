// Refuses a plugin bundle that reads a global Figma's sandbox does not have. Such code runs under Node and
// in browsers, where URL, atob or TextEncoder exist, and breaks only in Figma; worst when a library tests for
// the global inside try/catch (zod's z.url() does `new URL` there), where it fails silently instead.
//
// The bundle is parsed as an ES2017 script (the plugin's target, so newer syntax is refused here too); every
// reference that resolves to no declaration (eslint-scope's global `through` list) must name one of:
//   - what the QuickJS engine itself defines (asked of a fresh context: the engine is the ground truth, and
//     it has no Intl, for one),
//   - SANDBOX_GLOBALS (what @figma/plugin-typings declares),
//   - or be guarded: the operand of `typeof`, or inside the right side of an `&&` whose left side tests
//     `typeof X`, or inside the consequent of an if or ?: whose test does. A try/catch is no guard: that is
//     exactly how the z.url() bug hid.
//
// Run directly to check a built file: `npx tsx scripts/check-sandbox-globals.ts [dist/plugin.js]`.
import { parse } from "acorn";
import { analyze } from "eslint-scope";
import type * as ESTree from "estree";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { getQuickJS } from "quickjs-emscripten";
import { SANDBOX_GLOBALS } from "./sandbox-globals.ts";

/** The plugin's target (PLUGIN_TARGET in build.ts); acorn refuses syntax newer than this. */
export const SANDBOX_ECMA_VERSION = 2017;

/** One reference to a global the sandbox lacks. */
export interface UnavailableGlobal {
  readonly name: string;
  /** Offset of the identifier in the source. */
  readonly offset: number;
  /** The code around it, on one line. */
  readonly excerpt: string;
}

type Located = ESTree.Node & { start: number; end: number };

let engineGlobals: Promise<readonly string[]> | undefined;

/** The names a fresh QuickJS context has on its global object: the engine's ECMAScript built-ins. */
export function quickjsGlobals(): Promise<readonly string[]> {
  engineGlobals ??= getQuickJS().then((quickjs) => {
    const context = quickjs.newContext();
    try {
      const names = context.unwrapResult(context.evalCode("Object.getOwnPropertyNames(globalThis)")).consume((h) => context.dump(h) as unknown);
      if (!Array.isArray(names) || !names.every((n): n is string => typeof n === "string")) throw new Error("QuickJS listed its globals as something other than strings");
      return names;
    } finally {
      context.dispose();
    }
  });
  return engineGlobals;
}

/** Parses `source` as an ES2017 script; a newer construct fails here with acorn's message and where. */
export function parseScript(source: string): ESTree.Program {
  try {
    // eslint-scope reads `range` (default parameters vs. the function body).
    return parse(source, { ecmaVersion: SANDBOX_ECMA_VERSION, sourceType: "script", ranges: true }) as unknown as ESTree.Program;
  } catch (error) {
    const pos = (error as { pos?: unknown }).pos;
    const where = typeof pos === "number" ? `: ${excerpt(source, pos, pos + 1)}` : "";
    throw new SyntaxError(`not an ES${SANDBOX_ECMA_VERSION} script (acorn: ${error instanceof Error ? error.message : String(error)})${where}`);
  }
}

/** Every reference in `source` to a global outside `allowed` that no typeof test guards. */
export function findUnavailableGlobals(source: string, allowed: Iterable<string>): UnavailableGlobal[] {
  const program = parseScript(source);
  const scopes = analyze(program, { ecmaVersion: SANDBOX_ECMA_VERSION, sourceType: "script" });
  const globalScope = scopes.globalScope;
  if (!globalScope) throw new Error("eslint-scope found no global scope");
  const ok = new Set(allowed);
  const parents = parentsOf(program);
  const found: UnavailableGlobal[] = [];
  for (const reference of globalScope.through) {
    const identifier = reference.identifier as Located;
    if (identifier.type !== "Identifier") continue;
    const name = identifier.name;
    // A top-level `var` or function of the script itself also lands in `through` (globals are dynamic).
    if (ok.has(name) || globalScope.set.has(name) || isGuarded(identifier, name, parents)) continue;
    found.push({ name, offset: identifier.start, excerpt: excerpt(source, identifier.start, identifier.end) });
  }
  return found;
}

/** The check with the sandbox's allowed names: the engine's own globals plus SANDBOX_GLOBALS. */
export async function checkSandboxGlobals(source: string): Promise<UnavailableGlobal[]> {
  return findUnavailableGlobals(source, [...(await quickjsGlobals()), ...SANDBOX_GLOBALS]);
}

/** A message naming each global once, with how often it is referenced and where it first is. */
export function describeUnavailableGlobals(found: readonly UnavailableGlobal[], label: string): string {
  const byName = new Map<string, UnavailableGlobal[]>();
  for (const ref of found) byName.set(ref.name, [...(byName.get(ref.name) ?? []), ref]);
  const lines = [...byName].map(([name, refs]) => `  ${name} (${refs.length}x), first at ${refs[0]!.offset}: ${refs[0]!.excerpt}`);
  return [
    `${label} references globals that Figma's plugin sandbox does not have: ${[...byName.keys()].join(", ")}`,
    ...lines,
    "The sandbox has only the ECMAScript built-ins and what @figma/plugin-typings declares (scripts/sandbox-globals.ts);",
    "guard a use with a typeof test or keep the code that needs it out of the plugin bundle.",
  ].join("\n");
}

/** Throws with describeUnavailableGlobals' message if the bundle references a global the sandbox lacks. */
export async function assertSandboxGlobals(bundle: string | Uint8Array, label = "dist/plugin.js"): Promise<void> {
  const source = typeof bundle === "string" ? bundle : new TextDecoder().decode(bundle);
  const found = await checkSandboxGlobals(source);
  if (found.length) throw new Error(describeUnavailableGlobals(found, label));
}

function isGuarded(identifier: Located, name: string, parents: Map<ESTree.Node, ESTree.Node>): boolean {
  const parent = parents.get(identifier);
  if (parent?.type === "UnaryExpression" && parent.operator === "typeof") return true;
  let child: ESTree.Node = identifier;
  for (let node = parent; node; child = node, node = parents.get(node)) {
    if (node.type === "LogicalExpression" && node.operator === "&&" && node.right === child && testsTypeof(node.left, name)) return true;
    if ((node.type === "IfStatement" || node.type === "ConditionalExpression") && node.consequent === child && testsTypeof(node.test, name)) return true;
  }
  return false;
}

/** Whether `node` contains `typeof name`. */
function testsTypeof(node: ESTree.Node, name: string): boolean {
  let found = false;
  walk(node, (n) => {
    if (n.type === "UnaryExpression" && n.operator === "typeof" && n.argument.type === "Identifier" && n.argument.name === name) found = true;
  });
  return found;
}

function parentsOf(program: ESTree.Program): Map<ESTree.Node, ESTree.Node> {
  const parents = new Map<ESTree.Node, ESTree.Node>();
  walk(program, (node, parent) => {
    if (parent) parents.set(node, parent);
  });
  return parents;
}

/** Visits every node under `root` (any ESTree node type, without a table of child keys). */
function walk(root: ESTree.Node, visit: (node: ESTree.Node, parent: ESTree.Node | undefined) => void): void {
  const stack: [ESTree.Node, ESTree.Node | undefined][] = [[root, undefined]];
  while (stack.length) {
    const [node, parent] = stack.pop()!;
    visit(node, parent);
    for (const value of Object.values(node) as unknown[]) {
      if (Array.isArray(value)) {
        for (const item of value as unknown[]) if (isNode(item)) stack.push([item, node]);
      } else if (isNode(value)) stack.push([value, node]);
    }
  }
}

function isNode(value: unknown): value is ESTree.Node {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

function excerpt(source: string, start: number, end: number): string {
  const from = Math.max(0, start - 40);
  const to = Math.min(source.length, end + 40);
  return `${from > 0 ? "…" : ""}${source.slice(from, to).replace(/\s+/g, " ")}${to < source.length ? "…" : ""}`;
}

// `npx tsx scripts/check-sandbox-globals.ts [file]`: check a built bundle (default dist/plugin.js).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? "dist/plugin.js";
  readFile(file, "utf8")
    .then(checkSandboxGlobals)
    .then((found) => {
      if (!found.length) return console.log(`${file}: references no global outside Figma's sandbox`);
      console.error(describeUnavailableGlobals(found, file));
      process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
