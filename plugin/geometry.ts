// 2x3 affine transforms as Figma writes them ([[a, c, tx], [b, d, ty]]), and where an image fill's pixels
// lie inside its node: what a mask must be drawn against so it lines up with the image, not the layer.

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
  if (det === 0) throw new Error("The layer has no area");
  return [
    [d / det, -c / det, (c * f - d * e) / det],
    [-b / det, a / det, (b * e - a * f) / det],
  ];
}

export const translate = (x: number, y: number): Transform => [
  [1, 0, x],
  [0, 1, y],
];

export function apply(m: Transform, x: number, y: number): Vector {
  return { x: m[0][0] * x + m[0][1] * y + m[0][2], y: m[1][0] * x + m[1][1] * y + m[1][2] };
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether two boxes share some area (touching edges do not count). */
export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * The box, in the node's own coordinates, that the whole image of an image fill covers: FILL scales it to
 * cover the node (centred, cropped), FIT to fit inside it, CROP by the inverse of its imageTransform (which
 * maps the node's unit square into the image's). TILE repeats the image; the node's box stands in for it.
 */
export function imageBoxInNode(paint: ImagePaint, node: { width: number; height: number }, image: { width: number; height: number }): Box {
  const { width: w, height: h } = node;
  if (paint.scaleMode === "FILL" || paint.scaleMode === "FIT") {
    const pick = paint.scaleMode === "FILL" ? Math.max : Math.min;
    const s = pick(w / image.width, h / image.height);
    const iw = image.width * s;
    const ih = image.height * s;
    return { x: (w - iw) / 2, y: (h - ih) / 2, width: iw, height: ih };
  }
  if (paint.scaleMode === "CROP" && paint.imageTransform) {
    const inverse = invert(paint.imageTransform);
    const p0 = apply(inverse, 0, 0);
    const p1 = apply(inverse, 1, 1);
    return { x: p0.x * w, y: p0.y * h, width: (p1.x - p0.x) * w, height: (p1.y - p0.y) * h };
  }
  return { x: 0, y: 0, width: w, height: h };
}
