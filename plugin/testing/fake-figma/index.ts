// A fake of Figma's `figma` global that keeps Figma's rules, for unit tests (wrapped by realFigmaPort), a
// QuickJS bridge running the built plugin, and browser tests (bundled by esbuild). Plain ECMAScript plus
// fast-png: no Node or DOM APIs (it type-checks with lib ES2020 and @figma/plugin-typings alone, although
// plugin/tsconfig.test.json adds Node's types for the tests). Each rule cites its source where it is
// enforced.
export { createFakeFigma, FakeFigma, type FakeFigmaOptions } from "./fake.ts";
export { FakePluginApi } from "./api.ts";
export { FakeUI, type MessageOrigin, type PostListener } from "./ui.ts";
export { FakeViewport } from "./viewport.ts";
export { FakeClientStorage, CLIENT_STORAGE_LIMIT } from "./storage.ts";
export { FakeNotificationHandler, NOTIFY_MAX_LENGTH } from "./notify.ts";
export { FakeImage, MAX_IMAGE_SIDE, UNDECODED_IMAGE_COLOR } from "./images.ts";
export { FakeRectangle, FakeEllipse, DEFAULT_SHAPE_FILL } from "./nodes/shapes.ts";
export { FakeFrame, FakeComponent, FakeInstance } from "./nodes/frames.ts";
export { FakeGroup } from "./nodes/group.ts";
export { FakeSection } from "./nodes/section.ts";
export { FakePage, FakeDocumentNode } from "./nodes/page.ts";
export { PLUGIN_DATA_LIMIT, RELAUNCH_DESCRIPTION_LIMIT } from "./nodes/base.ts";
export type { FakeBaseNode, FakeParentNode, FakeSceneNode, FakeFrameLike } from "./nodes/types.ts";
export type { UndoLog, UndoStep } from "./undo.ts";
export type { DocumentAccess, ExportRecord, NotificationRecord, ShownUI } from "./internal.ts";
export { pngOf, solidPng, photoPng, decodePng, jpegOf, gifOf, webpOf, type DecodedImage, type RGBA } from "./helpers.ts";
