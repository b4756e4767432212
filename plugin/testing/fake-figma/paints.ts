// Assigning fills, strokes and effects. plugin-api.d.ts, MinimalFillsMixin.fills: the getter returns a
// read-only array (see freeze.ts); to change paints a plugin assigns a new array, which Figma validates and
// copies (the caller's later edits do not reach the node).
import { expectRange, expectType } from "./checks.ts";
import { frozenCopy } from "./freeze.ts";
import { isImageHash } from "./images.ts";

const PAINT_TYPES = ["SOLID", "GRADIENT_LINEAR", "GRADIENT_RADIAL", "GRADIENT_ANGULAR", "GRADIENT_DIAMOND", "IMAGE", "VIDEO", "PATTERN", "SHADER"];
const SCALE_MODES = ["FILL", "FIT", "CROP", "TILE"];
const EFFECT_TYPES = ["DROP_SHADOW", "INNER_SHADOW", "LAYER_BLUR", "BACKGROUND_BLUR", "NOISE", "TEXTURE", "GLASS", "SHADER"];

function checkColor(op: string, name: string, color: unknown, alpha: boolean): void {
  expectType(op, name, color, "object");
  const c = color as { [k: string]: unknown };
  // developers.figma.com/docs/plugins/api/RGB: colour channels are numbers from 0 to 1 (not 0..255).
  for (const channel of alpha ? ["r", "g", "b", "a"] : ["r", "g", "b"]) expectRange(op, `${name}.${channel}`, c[channel] as number, 0, 1);
}

function checkPaint(op: string, paint: unknown, i: number): void {
  expectType(op, `[${i}]`, paint, "object");
  const p = paint as { [k: string]: unknown };
  // "in set_fills: Invalid discriminator value" is what plugins report for an unknown paint type (field
  // reports; the exact text is not in Figma's docs).
  if (typeof p.type !== "string" || !PAINT_TYPES.includes(p.type)) throw new Error(`in ${op}: Invalid discriminator value for [${i}].type`);
  // plugin-api.d.ts, SolidPaint.opacity: "Must be a value between 0 and 1."
  if (p.opacity !== undefined) expectRange(op, `[${i}].opacity`, p.opacity as number, 0, 1);
  if (p.type === "SOLID") checkColor(op, `[${i}].color`, p.color, false);
  if (p.type === "IMAGE") {
    if (typeof p.scaleMode !== "string" || !SCALE_MODES.includes(p.scaleMode)) throw new Error(`in ${op}: Invalid value for [${i}].scaleMode`);
    // Image hashes are SHA-1 hex digests; "in set_fills: Invalid SHA1 hash" is the error plugins report
    // for a bad one (field reports; not in Figma's docs).
    if (p.imageHash !== null && !isImageHash(p.imageHash)) throw new Error(`in ${op}: Invalid SHA1 hash`);
    // plugin-api.d.ts, ImagePaint.rotation: "Must be in increments of +90."
    if (p.rotation !== undefined && (p.rotation as number) % 90 !== 0) throw new Error(`in ${op}: [${i}].rotation must be in increments of 90`);
  }
}

function checkList(op: string, value: unknown, mixed: symbol): unknown[] {
  // plugin-api.d.ts, PluginAPI.mixed: a value Figma returns, never one a plugin can set.
  if (value === mixed) throw new Error(`in ${op}: figma.mixed cannot be assigned`);
  expectType(op, op.replace("set_", ""), value, "array");
  return value as unknown[];
}

export function paintsFrom(op: string, value: unknown, mixed: symbol): readonly Paint[] {
  const list = checkList(op, value, mixed);
  list.forEach((p, i) => checkPaint(op, p, i));
  return frozenCopy(list as Paint[]);
}

export function effectsFrom(value: unknown, mixed: symbol): readonly Effect[] {
  const op = "set_effects";
  const list = checkList(op, value, mixed);
  list.forEach((e, i) => {
    expectType(op, `[${i}]`, e, "object");
    const effect = e as { [k: string]: unknown };
    if (typeof effect.type !== "string" || !EFFECT_TYPES.includes(effect.type)) throw new Error(`in ${op}: Invalid discriminator value for [${i}].type`);
    // plugin-api.d.ts, DropShadowEffect.radius: "Must be >= 0."
    if (effect.radius !== undefined) expectRange(op, `[${i}].radius`, effect.radius as number, 0);
    if (effect.type === "DROP_SHADOW" || effect.type === "INNER_SHADOW") {
      checkColor(op, `[${i}].color`, effect.color, true);
      expectType(op, `[${i}].offset`, effect.offset, "object");
      expectType(op, `[${i}].visible`, effect.visible, "boolean");
    }
  });
  return frozenCopy(list as Effect[]);
}
