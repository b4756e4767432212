// The default catalog of pricing.md. Ranges in the cost guide are resolved so that its worked examples hold
// exactly (29, 12, 21, 90 credits). One megapixel here is 1024 x 1024 px, so a 1:1 image is exactly 1 MP.
import type { Catalog } from "./schema.ts";

export const DEFAULT_CATALOG: Catalog = {
  version: "2026-11-default",
  providers: [
    { id: "stability", name: "Stability AI", keyEnv: "STABILITY_API_KEY" },
    { id: "wavespeed", name: "WaveSpeed", keyEnv: "WAVESPEED_API_KEY" },
    { id: "huggingface", name: "Hugging Face", keyEnv: "HF_TOKEN" },
    { id: "gemini", name: "Google Gemini", keyEnv: "GEMINI_API_KEY" },
    { id: "local", name: "Local (offline)" },
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
          { provider: "gemini", model: "imagen-4-fast" },
          { provider: "local", model: "procedural" },
        ],
      },
      premium: {
        credits: 6,
        route: [
          { provider: "wavespeed", model: "ideogram-v3-quality" },
          { provider: "stability", model: "ultra" },
          { provider: "local", model: "procedural" },
        ],
      },
    },
    models: [
      { provider: "stability", model: "ultra", label: "Stable Image Ultra", quality: "premium", price: 8, freePerPeriod: 0 },
      { provider: "stability", model: "core", label: "Stable Image Core", quality: "standard", price: 3, freePerPeriod: 0 },
      { provider: "stability", model: "sd3.5-large", label: "SD 3.5 Large", quality: "premium", price: 7, freePerPeriod: 0 },
      { provider: "stability", model: "sd3.5-large-turbo", label: "SD 3.5 Large Turbo", quality: "standard", price: 4, freePerPeriod: 0 },
      { provider: "stability", model: "sd3.5-medium", label: "SD 3.5 Medium", quality: "standard", price: 4, freePerPeriod: 0 },
      { provider: "stability", model: "sd3.5-flash", label: "SD 3.5 Flash", quality: "draft", price: 3, freePerPeriod: 0 },
      { provider: "wavespeed", model: "ideogram-v3-turbo", label: "Ideogram V3 Turbo", quality: "standard", price: 5, freePerPeriod: 0 },
      { provider: "wavespeed", model: "ideogram-v3-balanced", label: "Ideogram V3 Balanced", quality: "standard", price: 6, freePerPeriod: 0 },
      { provider: "wavespeed", model: "ideogram-v3-quality", label: "Ideogram V3 Quality", quality: "premium", price: 6, freePerPeriod: 0 },
      {
        provider: "wavespeed",
        model: "qwen-image",
        label: "Qwen Image",
        quality: "draft",
        price: { steps: [{ upToMegapixels: 1, credits: 1 }, { upToMegapixels: null, credits: 2 }] },
        freePerPeriod: 0,
      },
      { provider: "huggingface", model: "flux-schnell", label: "FLUX.1 schnell", quality: "draft", price: 1, freePerPeriod: 20 },
      { provider: "huggingface", model: "flux-dev", label: "FLUX.1 dev", quality: "standard", price: 3, freePerPeriod: 5 },
      { provider: "gemini", model: "imagen-4-fast", label: "Imagen 4 Fast", quality: "standard", price: 2, freePerPeriod: 10 },
      { provider: "gemini", model: "imagen-4", label: "Imagen 4", quality: "standard", price: 4, freePerPeriod: 0 },
      { provider: "gemini", model: "gemini-2.5-flash-image", label: "Gemini 2.5 Flash Image", quality: "standard", price: 4, freePerPeriod: 10 },
      { provider: "local", model: "procedural", label: "Procedural (offline)", quality: "draft", price: 1, freePerPeriod: 0 },
    ],
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
  tiers: [
    {
      id: "free",
      name: "Free",
      monthlyCredits: 50,
      jobsPerMinute: 6,
      qualities: ["draft", "standard"],
      maxVariations: 2,
      operations: ["create", "edit.remove-background", "upscale.fast", "social", "library"],
      queuePriority: 0,
    },
    { id: "basic", name: "Basic", monthlyCredits: 500, jobsPerMinute: 20, qualities: ["draft", "standard"], maxVariations: 4, operations: "all", queuePriority: 1 },
    { id: "pro", name: "Pro", monthlyCredits: 2000, jobsPerMinute: 60, qualities: ["draft", "standard", "premium"], maxVariations: 10, operations: "all", queuePriority: 2 },
    { id: "enterprise", name: "Enterprise", monthlyCredits: null, jobsPerMinute: 300, qualities: ["draft", "standard", "premium"], maxVariations: 10, operations: "all", queuePriority: 3 },
  ],
};
