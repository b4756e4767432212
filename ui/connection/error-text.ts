// Turns an ApiError into what happened and what to do about it, in the user's words.
import type { ApiError } from "./api-error.ts";

const num = (details: Readonly<Record<string, unknown>>, key: string): number | null => {
  const v = details[key];
  return typeof v === "number" ? v : null;
};

export function describeError(error: ApiError): string {
  const d = error.details;
  switch (error.code) {
    case "insufficient_credits": {
      const needed = num(d, "needed");
      const available = num(d, "available");
      if (needed !== null && available !== null)
        return `Not enough credits: this needs ${needed} and the team has ${available}, ${needed - available} short. Ask a manager to top up, or choose a cheaper option.`;
      return "Not enough credits for this. Ask a manager to top up, or choose a cheaper option.";
    }
    case "member_cap_reached":
      return "You have reached your monthly credit cap. Ask a manager to raise it.";
    case "tier_required": {
      const tier = typeof d.tier === "string" ? d.tier : null;
      return `${error.message}. ${tier ? `The ${tier} tier allows it; ` : ""}ask a manager to upgrade, or choose a lower quality or fewer variations.`;
    }
    case "provider_error":
      return `The provider failed: ${error.message}. Nothing was charged. Try again, or choose another provider.`;
    case "content_rejected":
      return `The provider refused this prompt: ${error.message}. Nothing was charged. Rephrase the prompt and try again.`;
    case "provider_unavailable":
      return `${error.message}. Nothing was charged. Choose another provider, or Auto.`;
    case "unauthorized":
      return "The proxy did not accept your token. Open Settings and paste a valid one.";
    case "forbidden":
      return `${error.message}. Your role does not allow this.`;
    case "rate_limited":
      return "Too many jobs in a short time. Wait a few seconds, then try again.";
    case "invalid_request": {
      const fields = d.fields && typeof d.fields === "object" ? Object.entries(d.fields as Record<string, unknown>) : [];
      const detail = fields.map(([k, v]) => `${k} ${String(v)}`).join("; ");
      return `The proxy refused the request: ${detail || error.message}.`;
    }
    case "network_error":
      return d.blocked === true ? error.message : `${error.message}. Is it running? Check the URL in Settings.`;
    case "bad_response":
      return `${error.message}. Update the plugin or the proxy so their versions match.`;
    case "placement_failed":
      return `The images were made but could not be placed on the canvas: ${error.message}.`;
    case "export_failed":
      return `${error.message}. Nothing was sent or charged.`;
    case "timeout":
      return error.message;
    default:
      return error.message;
  }
}
