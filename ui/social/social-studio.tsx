// The Social studio: the selected image to any number of platform formats at once (0 credits). Formats
// grouped by platform with select-all, a crop mode, and a focal point set on a small pad (click or arrow
// keys) or in numbers. Each result lands in its own frame beside the image, with the format's safe zone
// as a hidden layer.
import { useState } from "preact/hooks";
import { estimate } from "../../core/estimate.ts";
import { ActionFooter } from "../jobs/action-footer.tsx";
import { badgeFor } from "../jobs/badge.ts";
import { batchBadgeFor } from "../jobs/batch-badge.ts";
import { batchImages, batchResultText } from "../jobs/batch-form.ts";
import { estimateContext } from "../jobs/estimate-context.ts";
import { partsOf } from "../jobs/image-form.ts";
import { useJob } from "../jobs/use-job.ts";
import type { StudioProps } from "../studio-props.ts";
import { Field } from "../widgets/field.tsx";
import { buildSocialSpec, CROPS, nudge, platforms, socialBatchProblem, socialFormFromSpec, socialProblem, toggleFormats, unit, withFormats, type Crop, type SocialForm } from "./social-form.ts";
import "./social.css";

const pct = (n: number) => Math.round(n * 100);

export function SocialStudio(props: StudioProps) {
  const { catalog, selection, bridge } = props;
  const [form, setForm] = useState<SocialForm>(() => socialFormFromSpec(catalog, props.relaunch?.spec) ?? { formats: [], crop: "smart", focal: null });
  const update = (patch: Partial<SocialForm>) => setForm((f) => ({ ...f, ...patch }));
  const job = useJob(props, "Making formats");

  const image = selection.image;
  // Several images selected: one batch, the same formats of each, each image's frames beside it.
  const images = batchImages(selection);
  const ctx = estimateContext(props.me, props.providers);
  const badge = images
    ? batchBadgeFor(estimate({ items: images.map((i) => buildSocialSpec(form, i, true)) }, catalog, ctx), socialBatchProblem(form, images), catalog, images.length)
    : badgeFor(estimate(buildSocialSpec(form, image, true), catalog, ctx), socialProblem(form, selection), catalog);
  const fit = form.crop === "fit";
  const focal = fit ? null : form.focal;
  const size = image ?? { width: 1, height: 1 };
  const long = Math.max(size.width, size.height) / 80;

  const onBatch = (images: NonNullable<ReturnType<typeof batchImages>>) =>
    void job.startBatch(
      () => ({
        name: "Social formats",
        items: images.map((i) => ({
          spec: buildSocialSpec(form, i),
          name: i.name,
          parts: async () => partsOf(await bridge.exportImage({ imageId: i.id, mask: false, references: {} })),
          source: { nodeId: i.id, replace: false },
        })),
        // Every item's assets name their formats: each image lands in its format's frame beside its source.
        frame: (input, jobs) => withFormats(input, { assets: jobs.flatMap((j) => j.assets) }, catalog),
      }),
      (result) => batchResultText(result, "as frames beside their images"),
    );

  const onRun = () => {
    if (badge.enabled && images) return onBatch(images);
    if (!badge.enabled || !image) return;
    const spec = buildSocialSpec(form, image);
    void job.start(
      async () => ({
        spec,
        name: image.name,
        // The job's assets name their formats: each image lands in its format's frame.
        frame: (input, done) => withFormats(input, done, catalog),
        parts: partsOf(await bridge.exportImage({ imageId: image.id, mask: false, references: {} })),
        source: { nodeId: image.id, replace: false },
      }),
      (r) => `Placed ${r.nodeIds.length} frames beside “${image.name}” · ${r.job.charged} credits charged`,
    );
  };

  const axis = (key: "x" | "y") => (
    <Field id={`social-focal-${key}`} label={`${key.toUpperCase()} %`}>
      <input
        type="number"
        min={0}
        max={100}
        placeholder="Auto"
        disabled={fit}
        value={focal ? pct(focal[key]) : ""}
        onInput={(e) => {
          const v = e.currentTarget.value;
          if (v !== "") update({ focal: { ...(focal ?? { x: 0.5, y: 0.5 }), [key]: unit(Number(v) / 100) } });
        }}
      />
    </Field>
  );

  return (
    <div class="view create">
      <div class="scroll">
        {platforms(catalog).map(([platform, formats]) => {
          const ids = formats.map((f) => f.id);
          const on = ids.filter((id) => form.formats.includes(id)).length;
          const check = (testId: string, checked: boolean, these: string[], indeterminate = false) => (
            <input type="checkbox" data-testid={testId} checked={checked} indeterminate={indeterminate} onChange={(e) => update({ formats: toggleFormats(catalog, form.formats, these, e.currentTarget.checked) })} />
          );
          return (
            <fieldset key={platform} class="social-platform row">
              <legend>
                <label>
                  {check(`social-all-${platform.toLowerCase()}`, on === ids.length, ids, on > 0 && on < ids.length)}
                  {platform}
                </label>
              </legend>
              {formats.map((f) => (
                <label key={f.id}>
                  {check(`social-format-${f.id}`, form.formats.includes(f.id), [f.id])}
                  {f.label}
                  <span class="muted">
                    {f.width}×{f.height}
                  </span>
                </label>
              ))}
            </fieldset>
          );
        })}
        <Field id="social-crop" label="Crop">
          <select value={form.crop} onChange={(e) => update({ crop: e.currentTarget.value as Crop })}>
            {CROPS.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <div class="field" role="group" aria-labelledby="social-focal">
          <span class="label" id="social-focal">
            Focal point {fit ? "(not used by Fit)" : focal ? "" : "(auto)"}
          </span>
          <div class="social-focal">
            <button
              type="button"
              class="focal-pad"
              data-testid="social-focal-pad"
              disabled={fit}
              style={{ width: size.width / long, height: size.height / long }}
              aria-label={focal ? `Focal point ${pct(focal.x)}%, ${pct(focal.y)}%` : "Focal point, auto"}
              onPointerDown={(e) => {
                const r = e.currentTarget.getBoundingClientRect();
                update({ focal: { x: unit((e.clientX - r.left) / r.width), y: unit((e.clientY - r.top) / r.height) } });
              }}
              onKeyDown={(e) => {
                const next = nudge(focal, e.key);
                if (next) {
                  e.preventDefault();
                  update({ focal: next });
                }
              }}
            >
              {focal && <span class="focal-dot" style={{ left: `${pct(focal.x)}%`, top: `${pct(focal.y)}%` }} />}
            </button>
            {axis("x")}
            {axis("y")}
            <button type="button" class="button secondary small" data-testid="social-focal-auto" disabled={!focal} onClick={() => update({ focal: null })}>
              Auto
            </button>
          </div>
        </div>
      </div>
      <ActionFooter
        id="social-run"
        label={`Make ${form.formats.length || ""} formats`}
        busyLabel="Making formats…"
        where={images ? `Each image's frames go beside it (${images.length} images)` : image ? `Frames go beside “${image.name}”` : "Select an image on the canvas"}
        badge={badge}
        job={job}
        onRun={onRun}
      />
    </div>
  );
}
