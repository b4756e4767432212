// 2x3 affine transforms as Figma writes them ([[a, c, tx], [b, d, ty]]) and axis-aligned boxes. Kept exact
// for quarter turns (cos 90° is 0, not 6e-17) so a rotated node's pixels map onto whole pixels.

export const IDENTITY: Transform = [
  [1, 0, 0],
  [0, 1, 0],
];

/** m·n: apply n first, then m. */
export function multiply(m: Transform, n: Transform): Transform {
  const [[a, c, e], [b, d, f]] = m;
  const [[a2, c2, e2], [b2, d2, f2]] = n;
  return [
    [a * a2 + c * b2, a * c2 + c * d2, a * e2 + c * f2 + e],
    [b * a2 + d * b2, b * c2 + d * d2, b * e2 + d * f2 + f],
  ];
}

export function invert(m: Transform): Transform {
  const [[a, c, e], [b, d, f]] = m;
  const det = a * d - b * c;
  if (det === 0) throw new Error("fake-figma: a transform with no area cannot be inverted");
  return [
    [d / det, -c / det, (c * f - d * e) / det],
    [-b / det, a / det, (b * e - a * f) / det],
  ];
}

export function apply(m: Transform, x: number, y: number): Vector {
  return { x: m[0][0] * x + m[0][1] * y + m[0][2], y: m[1][0] * x + m[1][1] * y + m[1][2] };
}

export const translation = (x: number, y: number): Transform => [
  [1, 0, x],
  [0, 1, y],
];

export const copyTransform = (m: Transform): Transform => [
  [m[0][0], m[0][1], m[0][2]],
  [m[1][0], m[1][1], m[1][2]],
];

/** The axis-aligned box of the rectangle `r` (in m's input space) after m. */
export function boxOf(m: Transform, r: Rect): Rect {
  const corners = [apply(m, r.x, r.y), apply(m, r.x + r.width, r.y), apply(m, r.x, r.y + r.height), apply(m, r.x + r.width, r.y + r.height)];
  const xs = corners.map((p) => p.x);
  const ys = corners.map((p) => p.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x: x + 0, y: y + 0, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
}

export function union(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

export function intersect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

export const grow = (r: Rect, by: number): Rect => ({ x: r.x - by, y: r.y - by, width: r.width + 2 * by, height: r.height + 2 * by });

/** plugin-api.d.ts, LayoutMixin.rotation: "Identical to `Math.atan2(-m10, m00)`", in degrees. */
export function rotationOf(m: Transform): number {
  return (Math.atan2(0 - m[1][0], m[0][0]) * 180) / Math.PI + 0;
}

function cosSin(degrees: number): [number, number] {
  const quarter = ((Math.round(degrees / 90) % 4) + 4) % 4;
  if (degrees % 90 === 0) return ([[1, 0], [0, 1], [-1, 0], [0, -1]] as const)[quarter] as [number, number];
  const r = (degrees * Math.PI) / 180;
  return [Math.cos(r), Math.sin(r)];
}

/**
 * plugin-api.d.ts, LayoutMixin.rotation: "When setting `rotation`, it will also set m00, m01, m10, m11" and
 * rotation "is with respect to the top-left of the object", so the translation stays. A flipped transform
 * (negative determinant) stays flipped.
 */
export function withRotation(m: Transform, degrees: number): Transform {
  const [cos, sin] = cosSin(degrees);
  const flipped = m[0][0] * m[1][1] - m[0][1] * m[1][0] < 0;
  return flipped
    ? [
        [cos, -sin, m[0][2]],
        [-sin, -cos, m[1][2]],
      ]
    : [
        [cos, sin, m[0][2]],
        [-sin, cos, m[1][2]],
      ];
}

/** plugin-api.d.ts, DimensionAndPositionMixin.relativeTransform: "The transform always has unit axes". */
export function hasUnitAxes(m: Transform): boolean {
  const near = (v: number) => Math.abs(v - 1) < 1e-6;
  return near(Math.hypot(m[0][0], m[1][0])) && near(Math.hypot(m[0][1], m[1][1]));
}
