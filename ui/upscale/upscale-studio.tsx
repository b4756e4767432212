// The Upscale studio: fast, conservative or creative, the size it will make (capped at what Figma holds),
// and an Upscale button priced by core's estimate() at the selected image's pixel size (or "Reuse · 0" when a
// seeded upscale of the same library image was made before). Regenerate on a result reopens its settings.
import { useState } from "preact/hooks";
import { PROMPT_MAX } from "../../core/api/specs.ts";
import { UPSCALE_MODES, type UpscaleMode } from "../../core/catalog/schema.ts";
import { estimate } from "../../core/estimate.ts";
import { ActionFooter } from "../jobs/action-footer.tsx";
import { badgeFor } from "../jobs/badge.ts";
import { batchBadgeFor } from "../jobs/batch-badge.ts";
import { batchImages, batchReplaceBlocker, batchResultText, batchWhere } from "../jobs/batch-form.ts";
import { estimateContext } from "../jobs/estimate-context.ts";
import { inputOf, partsOf, replaceBlocker, resultText, resultWhere, sourceOf } from "../jobs/image-form.ts";
import { AUTO, providerOptions } from "../jobs/provider-options.ts";
import { ProviderSelect } from "../jobs/provider-select.tsx";
import { useReuse } from "../jobs/reuse-check.ts";
import { Advanced, ReuseChoice } from "../jobs/reuse-fields.tsx";
import { useJob } from "../jobs/use-job.ts";
import type { StudioProps } from "../studio-props.ts";
import { CheckField, Field } from "../widgets/field.tsx";
import {
  buildUpscaleSpec,
  FIGMA_MAX_SIDE,
  initialUpscaleForm,
  UPSCALE_MODES_INFO,
  upscaleBatchProblem,
  upscaleFormFromSpec,
  upscaleProblem,
  upscaleResultSize,
  type UpscaleForm,
} from "./upscale-form.ts";

export function UpscaleStudio(props: StudioProps) {
  const { catalog, selection } = props;
  const [form, setForm] = useState<UpscaleForm>(() => upscaleFormFromSpec(catalog, props.relaunch?.spec) ?? initialUpscaleForm());
  const [fresh, setFresh] = useState(false);
  const job = useJob(props, "Upscaling");
  const update = (patch: Partial<UpscaleForm>) => setForm((f) => ({ ...f, ...patch }));

  const image = selection.image;
  // Several images selected: one batch, one item per image, priced and held as one.
  const images = batchImages(selection);
  const input = inputOf(image);
  const out = input && upscaleResultSize(form.mode, input);
  const blocker = images ? batchReplaceBlocker(images) : replaceBlocker(image);
  const replace = form.replace && !blocker;
  const problem = images ? upscaleBatchProblem(form, images) : upscaleProblem(form, selection);
  const ctx = estimateContext(props.me, props.providers);
  const source = sourceOf(image);
  const priced = buildUpscaleSpec(form, input, source);
  const reuse = useReuse(props.api, problem || images ? null : priced, job.running);
  const renew = reuse && fresh ? { fresh: true } : {};
  const badge = images
    ? batchBadgeFor(estimate({ items: images.map((i) => buildUpscaleSpec(form, inputOf(i), sourceOf(i))) }, catalog, ctx), problem, catalog, images.length)
    : badgeFor(estimate({ ...priced, ...renew }, catalog, { ...ctx, reuse }), problem, catalog);

  const onBatch = (images: NonNullable<ReturnType<typeof batchImages>>) =>
    void job.startBatch(
      () => ({
        name: "Upscale",
        items: images.map((i) => {
          const size = upscaleResultSize(form.mode, i);
          return {
            spec: buildUpscaleSpec(form, undefined, sourceOf(i)),
            name: `${i.name} · ${size.width}×${size.height}`,
            parts: async () => partsOf(await props.bridge.exportImage({ imageId: i.id, mask: false, references: {} })),
            source: { nodeId: i.id, replace },
          };
        }),
      }),
      (result) => batchResultText(result, replace ? "into their images" : "beside their images"),
    );

  const onUpscale = () => {
    if (badge.enabled && images) return onBatch(images);
    if (!badge.enabled || !image || !out) return;
    const spec = { ...buildUpscaleSpec(form, undefined, source), ...renew };
    void job.start(
      async () => {
        const exported = await props.bridge.exportImage({ imageId: image.id, mask: false, references: {} });
        return { spec, name: `${image.name} · ${out.width}×${out.height}`, parts: partsOf(exported), source: { nodeId: image.id, replace } };
      },
      (result) => resultText(result, image),
    );
  };

  return (
    <div class="view create">
      <div class="scroll">
        <Field id="upscale-mode" label="Mode" hint={UPSCALE_MODES_INFO[form.mode].note}>
          <select
            value={form.mode}
            onChange={(e) => {
              const mode = e.currentTarget.value as UpscaleMode;
              update({ mode, ...(catalog.upscale[mode].providers.includes(form.provider) ? {} : { provider: AUTO }) });
            }}
          >
            {UPSCALE_MODES.map((m) => (
              <option key={m} value={m}>
                {UPSCALE_MODES_INFO[m].label}
              </option>
            ))}
          </select>
        </Field>
        <p class="size" data-testid="upscale-size">
          {images
            ? `${images.length} images, each ${form.mode === "fast" ? "4× the pixels" : `up to ${FIGMA_MAX_SIDE} px`}`
            : input && out
              ? `${input.width}×${input.height} → ${out.width}×${out.height} px`
              : "Select an image to see the size it will make"}
        </p>
        {form.mode === "creative" && (
          <>
            <Field id="upscale-prompt" label="Prompt">
              <textarea rows={3} maxLength={PROMPT_MAX} value={form.prompt} placeholder="A portrait in soft window light" onInput={(e) => update({ prompt: e.currentTarget.value })} />
            </Field>
            <Field id="upscale-creativity" label={`Creativity · ${form.creativity.toFixed(2)}`} hint="Higher invents more detail">
              <input type="range" min={0} max={1} step={0.05} value={form.creativity} onInput={(e) => update({ creativity: Number(e.currentTarget.value) })} />
            </Field>
          </>
        )}
        <ProviderSelect id="upscale-provider" value={form.provider} options={providerOptions(catalog, props.providers, catalog.upscale[form.mode].providers, `upscale.${form.mode}`)} onChange={(provider) => update({ provider })} />
        <CheckField id="upscale-replace" label="Replace the image" hint={blocker} checked={replace} disabled={!!blocker} onChange={(r) => update({ replace: r })} />
        <Advanced id="upscale" seed={form.seed} onSeed={(seed) => update({ seed })} />
      </div>
      <ActionFooter id="upscale-run" label="Upscale" busyLabel="Upscaling…" where={images ? batchWhere(images, replace) : resultWhere(image, replace)} badge={badge} job={job} onRun={onUpscale}>
        {reuse && <ReuseChoice id="upscale" fresh={fresh} price={estimate(priced, catalog, ctx).total} onChange={setFresh} />}
      </ActionFooter>
    </div>
  );
}
