// What layers have beyond position (plugin-api.d.ts, LayoutMixin and BlendMixin): rotation, opacity,
// effects, render bounds; and, for shapes and frames (MinimalFillsMixin, MinimalStrokesMixin), paints.
import { frozenCopy } from "../freeze.ts";
import { renderBounds } from "../bounds.ts";
import { expectRange, expectType } from "../checks.ts";
import { relativeOf, setRelative } from "../geometry.ts";
import { checkAlive, state, touch, type StrokeAlign } from "../internal.ts";
import { rotationOf, withRotation } from "../matrix.ts";
import { effectsFrom, paintsFrom } from "../paints.ts";
import { FakeSceneBase, scene } from "./scene.ts";

/** The document's `figma.mixed`, which a paint list may never be set to. */
const mixedOf = (node: FakeSceneBase): symbol => state(node).doc.mixed;

export abstract class FakeLayerBase extends FakeSceneBase {
  /** plugin-api.d.ts, LayoutMixin.rotation: "Returns values from -180 to 180. Identical to `Math.atan2(-m10, m00)`". */
  get rotation(): number {
    return rotationOf(relativeOf(scene(this)));
  }
  set rotation(degrees: number) {
    expectType("set_rotation", "rotation", degrees, "number");
    setRelative(scene(this), withRotation(relativeOf(scene(this)), degrees), "set_rotation");
  }

  /**
   * developers.figma.com/docs/plugins/api/api-errors: "`opacity` can only be set to a number, and it must
   * also be a number between 0 and 1", e.g. `in set_opacity: Expected "opacity" to have type number but got
   * string instead`.
   */
  get opacity(): number {
    return state(this).opacity;
  }
  set opacity(value: number) {
    const s = state(this);
    checkAlive(s, "set_opacity");
    expectRange("set_opacity", "opacity", value, 0, 1);
    s.opacity = value;
    touch(s);
  }

  /** A frozen copy of the effects, new at each read (see readPaints); assign a new array to change them. */
  get effects(): readonly Effect[] {
    return frozenCopy(state(this).effects);
  }
  set effects(value: readonly Effect[]) {
    const s = state(this);
    checkAlive(s, "set_effects");
    s.effects = effectsFrom(value, mixedOf(this));
    touch(s);
  }

  get absoluteRenderBounds(): Rect | null {
    return renderBounds(scene(this));
  }
}

/**
 * Shared by layers and sections: fills and strokes, assigned whole and read back frozen. Each read is a new
 * copy of what the document holds, as in Figma, where a property is read out of the document on every
 * access and changing it means setting the whole property (developers.figma.com/docs/plugins/
 * editing-properties): so `node.fills === node.fills` is false, and code that finds a paint in one read by
 * identity (`p === paint`) in another read finds nothing, here as there.
 */
export function readPaints(node: FakeSceneBase, which: "fills" | "strokes"): readonly Paint[] {
  return frozenCopy(state(node)[which]);
}

export function writePaints(node: FakeSceneBase, which: "fills" | "strokes", value: unknown): void {
  const s = state(node);
  const op = `set_${which}`;
  checkAlive(s, op);
  s[which] = paintsFrom(op, value, mixedOf(node));
  touch(s);
}

export function writeStrokeWeight(node: FakeSceneBase, value: number): void {
  const s = state(node);
  checkAlive(s, "set_strokeWeight");
  // plugin-api.d.ts, MinimalStrokesMixin.strokeWeight: "This value must be non-negative".
  expectRange("set_strokeWeight", "strokeWeight", value, 0);
  s.strokeWeight = value;
  touch(s);
}

export function writeStrokeAlign(node: FakeSceneBase, value: StrokeAlign): void {
  const s = state(node);
  checkAlive(s, "set_strokeAlign");
  if (!["CENTER", "INSIDE", "OUTSIDE"].includes(value)) throw new Error(`in set_strokeAlign: Invalid value "${String(value)}"`);
  s.strokeAlign = value;
  touch(s);
}

export abstract class FakeGeometryBase extends FakeLayerBase {
  /**
   * plugin-api.d.ts, MinimalFillsMixin.fills. Read: a frozen array of frozen paints, so `fills.push(...)` or
   * `fills[0].color.r = 1` throws (developers.figma.com/docs/plugins/editing-properties). Write: a new array,
   * validated and copied.
   */
  get fills(): readonly Paint[] {
    return readPaints(this, "fills");
  }
  set fills(value: readonly Paint[] | PluginAPI["mixed"]) {
    writePaints(this, "fills", value);
  }

  get strokes(): readonly Paint[] {
    return readPaints(this, "strokes");
  }
  set strokes(value: readonly Paint[]) {
    writePaints(this, "strokes", value);
  }

  get strokeWeight(): number {
    return state(this).strokeWeight;
  }
  set strokeWeight(value: number) {
    writeStrokeWeight(this, value);
  }

  get strokeAlign(): StrokeAlign {
    return state(this).strokeAlign;
  }
  set strokeAlign(value: StrokeAlign) {
    writeStrokeAlign(this, value);
  }
}
