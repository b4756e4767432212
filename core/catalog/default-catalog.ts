// The default catalog of docs/pricing.md. Ranges in the cost guide are resolved so that its worked examples hold
// exactly (29, 12, 21, 90 credits). One megapixel here is 1024 x 1024 px, so a 1:1 image is exactly 1 MP.
// The models are today's (late 2026, docs/providers.md): each provider's own ids and documented limits, so a
// renamed or retired model is a change of this data (or of CATALOG_PATH), never of an adapter.
import { catalogSchema, type Catalog, type ModelLimits } from "./schema.ts";

/** Stability's v2beta generate ratios (platform.stability.ai/docs/api-reference#tag/Generate). */
const STABILITY_RATIOS = ["21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21"];
/** Ideogram V3 on WaveSpeed: five ratios, no seed (wavespeed.ai/models/ideogram-ai/ideogram-v3-turbo). */
const IDEOGRAM: Partial<ModelLimits> = { promptChars: 2000, aspectRatios: ["1:1", "16:9", "9:16", "4:3", "3:4"], seed: false };
const IDEOGRAM_STYLES = { photographic: "Realistic", cinematic: "Realistic", "analog-film": "Realistic" };
/**
 * Gemini image models (ai.google.dev/gemini-api/docs/image-generation): imageConfig.aspectRatio from this list.
 * Edit inputs are sent inline and downscaled to 2,048 px / 4 MP first (the models work near 1 MP); a prompt
 * is held far below the 32k-token input, leaving room for the image's tokens.
 */
const GEMINI: Partial<ModelLimits> = {
  promptChars: 10_000,
  aspectRatios: ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"],
  inputMinSide: 16,
  inputMaxSide: 2048,
  inputMaxPixels: 4 * 1024 * 1024,
  inputMaxBytes: 32 * 1024 * 1024,
};

export const DEFAULT_CATALOG: Catalog = catalogSchema.parse({
  version: "2026-11-default",
  providers: [
    { id: "stability", name: "Stability AI", keyEnv: "STABILITY_API_KEY" },
    { id: "wavespeed", name: "WaveSpeed", keyEnv: "WAVESPEED_API_KEY" },
    { id: "huggingface", name: "Hugging Face", keyEnv: "HF_TOKEN" },
    { id: "gemini", name: "Google Gemini", keyEnv: "GEMINI_API_KEY" },
    { id: "local", name: "Local (offline)" },
  ],
  models: [
    { provider: "stability", model: "ultra", upstream: "ultra", label: "Stable Image Ultra", quality: "premium", price: 8, limits: { promptChars: 10_000, aspectRatios: STABILITY_RATIOS } },
    { provider: "stability", model: "core", upstream: "core", label: "Stable Image Core", quality: "standard", price: 3, limits: { promptChars: 10_000, aspectRatios: STABILITY_RATIOS } },
    { provider: "stability", model: "sd3.5-large", upstream: "sd3/sd3.5-large", label: "SD 3.5 Large", quality: "premium", price: 7, limits: { promptChars: 10_000, aspectRatios: STABILITY_RATIOS } },
    { provider: "stability", model: "sd3.5-large-turbo", upstream: "sd3/sd3.5-large-turbo", label: "SD 3.5 Large Turbo", quality: "standard", price: 4, limits: { promptChars: 10_000, aspectRatios: STABILITY_RATIOS } },
    { provider: "stability", model: "sd3.5-medium", upstream: "sd3/sd3.5-medium", label: "SD 3.5 Medium", quality: "standard", price: 4, limits: { promptChars: 10_000, aspectRatios: STABILITY_RATIOS } },
    { provider: "stability", model: "sd3.5-flash", upstream: "sd3/sd3.5-flash", label: "SD 3.5 Flash", quality: "draft", price: 3, limits: { promptChars: 10_000, aspectRatios: STABILITY_RATIOS } },
    { provider: "wavespeed", model: "ideogram-v3-turbo", upstream: "ideogram-ai/ideogram-v3-turbo", label: "Ideogram V3 Turbo", quality: "standard", price: 5, limits: IDEOGRAM, styles: IDEOGRAM_STYLES },
    { provider: "wavespeed", model: "ideogram-v3-balanced", upstream: "ideogram-ai/ideogram-v3-balanced", label: "Ideogram V3 Balanced", quality: "standard", price: 6, limits: IDEOGRAM, styles: IDEOGRAM_STYLES },
    { provider: "wavespeed", model: "ideogram-v3-quality", upstream: "ideogram-ai/ideogram-v3-quality", label: "Ideogram V3 Quality", quality: "premium", price: 6, limits: IDEOGRAM, styles: IDEOGRAM_STYLES },
    {
      provider: "wavespeed",
      model: "qwen-image",
      upstream: "wavespeed-ai/qwen-image/text-to-image",
      label: "Qwen Image",
      quality: "draft",
      price: { steps: [{ upToMegapixels: 1, credits: 1 }, { upToMegapixels: null, credits: 2 }] },
      // `size` "W*H", each side 256..1536 (wavespeed.ai/models/wavespeed-ai/qwen-image/text-to-image).
      limits: { promptChars: 2000, minSide: 256, maxSide: 1536 },
      params: { output_format: "png" },
    },
    {
      provider: "wavespeed",
      model: "qwen-image-edit",
      upstream: "wavespeed-ai/qwen-image/edit",
      label: "Qwen Image Edit",
      operations: ["edit.general"],
      // Inputs are fitted into qwen-image's own size range; smaller ones are refused (an upscale would not be faithful).
      limits: { promptChars: 2000, inputMinSide: 256, inputMaxSide: 1536, inputMaxBytes: 20 * 1024 * 1024 },
    },
    {
      provider: "huggingface",
      model: "flux-schnell",
      upstream: "black-forest-labs/FLUX.1-schnell",
      label: "FLUX.1 schnell",
      quality: "draft",
      price: 1,
      freePerPeriod: 20,
      // FLUX packs 2x2 patches of 8x-downsampled latents: sides are multiples of 16; it is trained around 1 MP.
      limits: { promptChars: 2000, minSide: 256, maxSide: 1536, multiple: 16 },
      // schnell is distilled for 1..4 steps (huggingface.co/black-forest-labs/FLUX.1-schnell).
      params: { num_inference_steps: 4 },
    },
    {
      provider: "gemini",
      model: "gemini-3.1-flash-image",
      upstream: "gemini-3.1-flash-image",
      label: "Gemini 3.1 Flash Image",
      operations: ["create", "edit.general"],
      quality: "standard",
      price: 4,
      freePerPeriod: 10,
      limits: GEMINI,
    },
    {
      provider: "gemini",
      model: "gemini-3-pro-image",
      upstream: "gemini-3-pro-image",
      label: "Gemini 3 Pro Image",
      operations: ["create", "edit.general"],
      quality: "premium",
      price: 8,
      limits: GEMINI,
    },
    { provider: "local", model: "procedural", upstream: "procedural", label: "Procedural (offline)", quality: "draft", price: 1 },
  ],
  // Stability's style_preset values (docs/providers.md); a preset outside this list is refused before the hold.
  stylePresets: [
    "enhance", "anime", "photographic", "digital-art", "comic-book", "fantasy-art", "line-art", "analog-film", "neon-punk",
    "isometric", "low-poly", "origami", "modeling-compound", "cinematic", "3d-model", "pixel-art", "tile-texture",
  ],
  create: {
    qualities: {
      draft: {
        credits: 2,
        route: [
          { provider: "wavespeed", model: "qwen-image" },
          { provider: "huggingface", model: "flux-schnell" },
          { provider: "local", model: "procedural" },
        ],
      },
      standard: {
        credits: 4,
        route: [
          { provider: "stability", model: "core" },
          { provider: "wavespeed", model: "ideogram-v3-turbo" },
          { provider: "gemini", model: "gemini-3.1-flash-image" },
          { provider: "local", model: "procedural" },
        ],
      },
      premium: {
        credits: 6,
        route: [
          { provider: "wavespeed", model: "ideogram-v3-quality" },
          { provider: "stability", model: "ultra" },
          { provider: "gemini", model: "gemini-3-pro-image" },
          { provider: "local", model: "procedural" },
        ],
      },
    },
    aspectRatios: {
      "1:1": { width: 1024, height: 1024 },
      "16:9": { width: 1344, height: 768 },
      "9:16": { width: 768, height: 1344 },
      "4:3": { width: 1152, height: 864 },
      "3:4": { width: 864, height: 1152 },
      "3:2": { width: 1216, height: 832 },
      "2:3": { width: 832, height: 1216 },
      "5:4": { width: 1120, height: 896 },
      "4:5": { width: 896, height: 1120 },
      "21:9": { width: 1536, height: 640 },
      "9:21": { width: 640, height: 1536 },
    },
    defaultAspectRatio: "1:1",
  },
  // Providers that will do each edit and upscale, in routing order. The local provider is listed only where
  // it does the operation honestly offline (sharp); search-replace, general edits and relight need a model.
  edit: {
    "remove-background": { credits: 3, providers: ["stability", "local"] },
    inpaint: { credits: 4, providers: ["stability", "local"] },
    outpaint: { credits: 5, providers: ["stability", "local"] },
    "search-replace": { credits: 5, providers: ["stability"] },
    "search-recolor": { credits: 4, providers: ["stability", "local"] },
    "replace-background-relight": { credits: 6, providers: ["stability"] },
    erase: { credits: 3, providers: ["stability", "local"] },
    general: { credits: 4, providers: ["wavespeed", "gemini"] },
  },
  upscale: {
    fast: { credits: 2, providers: ["stability", "local"] },
    conservative: { credits: 6, providers: ["stability", "local"] },
    creative: { credits: 6, providers: ["stability", "local"] },
  },
  social: {
    credits: 0,
    formats: [
      { id: "instagram-square", platform: "Instagram", label: "Square", width: 1080, height: 1080 },
      { id: "instagram-portrait", platform: "Instagram", label: "Portrait", width: 1080, height: 1350 },
      { id: "instagram-story", platform: "Instagram", label: "Story", width: 1080, height: 1920, safeZone: { top: 250, right: 0, bottom: 340, left: 0 } },
      { id: "facebook-feed", platform: "Facebook", label: "Feed", width: 1200, height: 630 },
      { id: "facebook-cover", platform: "Facebook", label: "Cover", width: 820, height: 312, safeZone: { top: 0, right: 0, bottom: 0, left: 190 } },
      { id: "facebook-story", platform: "Facebook", label: "Story", width: 1080, height: 1920, safeZone: { top: 250, right: 0, bottom: 340, left: 0 } },
      { id: "x-post", platform: "X", label: "Post", width: 1200, height: 675 },
      { id: "x-card", platform: "X", label: "Card", width: 1200, height: 600 },
      { id: "x-header", platform: "X", label: "Header", width: 1500, height: 500, safeZone: { top: 0, right: 0, bottom: 0, left: 260 } },
      { id: "linkedin-feed", platform: "LinkedIn", label: "Feed", width: 1200, height: 627 },
      { id: "linkedin-cover", platform: "LinkedIn", label: "Cover", width: 1128, height: 191, safeZone: { top: 0, right: 0, bottom: 0, left: 250 } },
      { id: "youtube-thumbnail", platform: "YouTube", label: "Thumbnail", width: 1280, height: 720, safeZone: { top: 0, right: 0, bottom: 80, left: 0 } },
      { id: "youtube-channel-art", platform: "YouTube", label: "Channel art", width: 2560, height: 1440, safeZone: { top: 509, right: 507, bottom: 509, left: 507 } },
      { id: "pinterest-pin", platform: "Pinterest", label: "Pin", width: 1000, height: 1500 },
      { id: "tiktok-cover", platform: "TikTok", label: "Cover", width: 1080, height: 1920, safeZone: { top: 150, right: 120, bottom: 400, left: 60 } },
    ],
  },
  sizeSurcharge: [
    { overMegapixels: 2, credits: 1 },
    { overMegapixels: 8, credits: 2 },
  ],
  tierChange: "prorate",
  // Presets that start cheap (draft or standard) and at the size their platform wants, so a campaign is
  // not first made square and then cropped away.
  templates: [
    {
      id: "product-shot",
      name: "Product shot",
      use: "A product on a clean studio background, ready for background removal",
      format: "instagram-square",
      quality: "standard",
      aspectRatio: "1:1",
      prompt: "Studio product photo of {subject}, centred on a seamless light grey background, soft even light, sharp focus",
      negativePrompt: "text, watermark, clutter",
      variations: 1,
    },
    {
      id: "instagram-portrait",
      name: "Instagram portrait post",
      use: "A feed post in the 4:5 portrait format",
      format: "instagram-portrait",
      quality: "standard",
      aspectRatio: "4:5",
      prompt: "Vibrant lifestyle photo of {subject}, natural light, room at the top for a headline",
      variations: 1,
    },
    {
      id: "story-background",
      name: "Story background",
      use: "A vertical background for stories and TikTok covers; keeps the centre calm for text",
      format: "instagram-story",
      quality: "draft",
      aspectRatio: "9:16",
      prompt: "Abstract background inspired by {subject}, soft gradients, calm centre, no text",
      variations: 2,
    },
    {
      id: "youtube-thumbnail",
      name: "YouTube thumbnail",
      use: "A bold 16:9 thumbnail with space for a title",
      format: "youtube-thumbnail",
      quality: "standard",
      aspectRatio: "16:9",
      prompt: "Bold, high-contrast scene of {subject}, dramatic light, empty area on the right for a title",
      variations: 1,
    },
    {
      id: "linkedin-banner",
      name: "Banner backdrop",
      use: "A wide backdrop for LinkedIn, X and Facebook covers",
      format: "linkedin-feed",
      quality: "draft",
      aspectRatio: "21:9",
      prompt: "Wide, minimal backdrop themed on {subject}, muted brand colours, generous negative space",
      variations: 1,
    },
    {
      id: "hero-image",
      name: "Website hero",
      use: "A premium hero image for a landing page",
      quality: "premium",
      aspectRatio: "16:9",
      prompt: "Cinematic hero image of {subject}, shallow depth of field, golden hour light",
      variations: 1,
    },
  ],
  tiers: [
    {
      id: "free",
      name: "Free",
      monthlyCredits: 50,
      jobsPerMinute: 6,
      qualities: ["draft", "standard"],
      maxVariations: 2,
      maxBatch: 5,
      operations: ["create", "edit.remove-background", "upscale.fast", "social", "library"],
      queuePriority: 0,
    },
    { id: "basic", name: "Basic", monthlyCredits: 500, jobsPerMinute: 20, qualities: ["draft", "standard"], maxVariations: 4, maxBatch: 10, operations: "all", queuePriority: 1 },
    { id: "pro", name: "Pro", monthlyCredits: 2000, jobsPerMinute: 60, qualities: ["draft", "standard", "premium"], maxVariations: 10, maxBatch: 25, operations: "all", queuePriority: 2 },
    { id: "enterprise", name: "Enterprise", monthlyCredits: null, jobsPerMinute: 300, qualities: ["draft", "standard", "premium"], maxVariations: 10, maxBatch: 100, operations: "all", queuePriority: 3 },
  ],
});
