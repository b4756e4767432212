import { describe, expect, it } from "vitest";
import { apply, imageBoxInNode, invert, multiply, overlaps, translate } from "./geometry.ts";

const image = (scaleMode: ImagePaint["scaleMode"], imageTransform?: Transform): ImagePaint => ({
  type: "IMAGE",
  imageHash: "h",
  scaleMode,
  ...(imageTransform ? { imageTransform } : {}),
});

describe("transforms", () => {
  it("compose and invert", () => {
    const turn: Transform = [[0, -1, 150], [1, 0, 50]];
    const both = multiply(translate(10, 20), turn);
    expect(apply(both, 1, 0)).toEqual({ x: 160, y: 71 });
    const back = apply(invert(both), 160, 71);
    expect([back.x, back.y].map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 0]);
    expect(() => invert([[0, 0, 0], [0, 0, 0]])).toThrow();
  });

  it("tell overlapping boxes from touching ones", () => {
    expect(overlaps({ x: 0, y: 0, width: 10, height: 10 }, { x: 9, y: 9, width: 5, height: 5 })).toBe(true);
    expect(overlaps({ x: 0, y: 0, width: 10, height: 10 }, { x: 10, y: 0, width: 5, height: 5 })).toBe(false);
  });
});

describe("imageBoxInNode", () => {
  const node = { width: 400, height: 400 };
  const wide = { width: 800, height: 400 };

  it("covers the node and is centred for FILL", () => {
    expect(imageBoxInNode(image("FILL"), node, wide)).toEqual({ x: -200, y: 0, width: 800, height: 400 });
  });

  it("fits inside the node for FIT", () => {
    expect(imageBoxInNode(image("FIT"), node, wide)).toEqual({ x: 0, y: 100, width: 400, height: 200 });
  });

  it("undoes the crop transform for CROP", () => {
    // The node shows the image's middle half: the image is twice the node, starting a quarter before it.
    expect(imageBoxInNode(image("CROP", [[0.5, 0, 0.25], [0, 0.5, 0.25]]), node, wide)).toEqual({ x: -200, y: -200, width: 800, height: 800 });
  });

  it("takes the node's box for TILE", () => {
    expect(imageBoxInNode(image("TILE"), node, wide)).toEqual({ x: 0, y: 0, width: 400, height: 400 });
  });
});
