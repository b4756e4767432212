// The Edit studio: one of the eight edit kinds, the fields that kind uses, where the result goes, and an
// Edit button priced by core's estimate() at the selected image's pixel size (or "Reuse · 0" when a seeded
// edit of the same library image was made before). Regenerate on an edit result reopens its settings.
import { useState } from "preact/hooks";
import { LIGHT_DIRECTIONS, PROMPT_MAX } from "../../core/api/specs.ts";
import { EDIT_KINDS, type EditKind } from "../../core/catalog/schema.ts";
import { estimate } from "../../core/estimate.ts";
import type { Selection } from "../../core/messages.ts";
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
  buildEditSpec,
  EDIT_KINDS_INFO,
  EXPAND_MAX,
  editBatchProblem,
  editFormFromSpec,
  editProblem,
  initialEditForm,
  needsMask,
  outpaintSize,
  SIDES,
  type EditForm,
  type LightDirection,
  type NodeRef,
} from "./edit-form.ts";

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** A relight reference: the layer picked from the selection, or none. */
function Reference({ id, label, value, selection, onChange }: { id: string; label: string; value: NodeRef | null; selection: Selection; onChange(ref: NodeRef | null): void }) {
  const image = selection.image;
  return (
    <div class="field" role="group" aria-label={label}>
      <span class="label">{label}</span>
      <div class="pick">
        <span class={value ? "" : "muted"}>{value ? `“${value.name}”` : "None"}</span>
        {value ? (
          <button type="button" class="button secondary" data-testid={`${id}-clear`} onClick={() => onChange(null)}>
            Clear
          </button>
        ) : (
          <button type="button" class="button secondary" data-testid={`${id}-pick`} disabled={!image} onClick={() => image && onChange({ id: image.id, name: image.name })}>
            Use selected
          </button>
        )}
      </div>
    </div>
  );
}

export function EditStudio(props: StudioProps) {
  const { catalog, selection } = props;
  const [form, setForm] = useState<EditForm>(() => editFormFromSpec(catalog, props.relaunch?.spec) ?? initialEditForm());
  const [fresh, setFresh] = useState(false);
  const job = useJob(props, "Editing");
  const update = (patch: Partial<EditForm>) => setForm((f) => ({ ...f, ...patch }));

  const info = EDIT_KINDS_INFO[form.kind];
  const has = (field: (typeof info.fields)[number]) => info.fields.includes(field);
  const offers = catalog.edit[form.kind].providers;
  const image = selection.image;
  // Several images selected: one batch, one item per image (each masked by the shape drawn over it).
  const images = batchImages(selection);
  const input = inputOf(image);
  const blocker = form.kind === "outpaint" ? "Outpainting changes the image's shape: the result goes beside it" : images ? batchReplaceBlocker(images) : replaceBlocker(image);
  const replace = form.replace && !blocker;
  const problem = images ? editBatchProblem(form, images) : editProblem(form, selection);
  const ctx = estimateContext(props.me, props.providers);
  const source = sourceOf(image);
  const priced = buildEditSpec(form, input, source);
  const reuse = useReuse(props.api, problem || images ? null : priced, job.running);
  const renew = reuse && fresh ? { fresh: true } : {};
  const badge = images
    ? batchBadgeFor(estimate({ items: images.map((i) => buildEditSpec(form, inputOf(i), sourceOf(i))) }, catalog, ctx), problem, catalog, images.length)
    : badgeFor(estimate({ ...priced, ...renew }, catalog, { ...ctx, reuse }), problem, catalog);
  const references = has("light")
    ? { ...(form.backgroundReference ? { backgroundReference: form.backgroundReference.id } : {}), ...(form.lightReference ? { lightReference: form.lightReference.id } : {}) }
    : {};

  const onBatch = (images: NonNullable<ReturnType<typeof batchImages>>) =>
    void job.startBatch(
      () => ({
        name: info.label,
        items: images.map((i) => ({
          spec: buildEditSpec(form, undefined, sourceOf(i)),
          name: `${i.name} · ${info.label}`,
          parts: async () => partsOf(await props.bridge.exportImage({ imageId: i.id, mask: needsMask(form.kind), references })),
          source: { nodeId: i.id, replace },
        })),
      }),
      (result) => batchResultText(result, replace ? "into their images" : "beside their images"),
    );

  const onEdit = () => {
    if (badge.enabled && images) return onBatch(images);
    if (!badge.enabled || !image) return;
    const spec = { ...buildEditSpec(form, undefined, source), ...renew };
    void job.start(
      async () => {
        const exported = await props.bridge.exportImage({ imageId: image.id, mask: needsMask(form.kind), references });
        return { spec, name: `${image.name} · ${info.label}`, parts: partsOf(exported), source: { nodeId: image.id, replace } };
      },
      (result) => resultText(result, image),
    );
  };

  const text = (key: "prompt" | "negativePrompt" | "searchPrompt" | "selectPrompt", label: string, placeholder: string, rows = 2) => (
    <Field id={`edit-${key}`} label={label}>
      <textarea rows={rows} maxLength={PROMPT_MAX} value={form[key]} placeholder={placeholder} onInput={(e) => update({ [key]: e.currentTarget.value })} />
    </Field>
  );

  return (
    <div class="view create">
      <div class="scroll">
        <Field id="edit-kind" label="Edit">
          <select
            value={form.kind}
            onChange={(e) => {
              const kind = e.currentTarget.value as EditKind;
              // A provider that does not do the new kind falls back to Auto.
              update({ kind, ...(catalog.edit[kind].providers.includes(form.provider) ? {} : { provider: AUTO }) });
            }}
          >
            {EDIT_KINDS.map((k) => (
              <option key={k} value={k}>
                {EDIT_KINDS_INFO[k].label}
              </option>
            ))}
          </select>
        </Field>
        {has("mask") && (
          <p class={(images ? images.every((i) => i.maskShape) : image?.maskShape) ? "muted" : "hint hint-empty"} data-testid="mask-hint">
            {images
              ? `Changes the area under the shape drawn over each image (${images.filter((i) => i.maskShape).length} of ${images.length} have one)`
              : image?.maskShape
                ? `Changes the area under “${image.maskShape.name}”`
                : "Draw a shape over the area to change, then select the image and the shape together."}
          </p>
        )}
        {has("searchPrompt") && text("searchPrompt", "Find", "The red car")}
        {has("selectPrompt") && text("selectPrompt", "Recolor", "The jacket")}
        {has("expand") && (
          <div class="field" role="group" aria-labelledby="expand-label">
            <span class="label" id="expand-label">
              Expand (px)
            </span>
            <div class="row four">
              {SIDES.map((side) => (
                <Field key={side} id={`expand-${side}`} label={cap(side)}>
                  <input
                    type="number"
                    min={0}
                    max={EXPAND_MAX}
                    step={1}
                    value={form.expand[side]}
                    onInput={(e) => update({ expand: { ...form.expand, [side]: e.currentTarget.value } })}
                  />
                </Field>
              ))}
            </div>
            {input && (
              <p class="field-note" data-testid="outpaint-size">
                {(({ width, height }) => `${input.width}×${input.height} → ${width}×${height}`)(outpaintSize(form, input))}
              </p>
            )}
          </div>
        )}
        {info.prompt && text("prompt", info.prompt[0], form.kind === "replace-background-relight" ? "A sunlit beach at golden hour" : "", 3)}
        {has("negativePrompt") && text("negativePrompt", "Avoid (optional)", "blurry, text")}
        {has("light") && (
          <>
            <Field id="edit-light" label="Light from">
              <select value={form.lightDirection} onChange={(e) => update({ lightDirection: e.currentTarget.value as "" | LightDirection })}>
                <option value="">Any direction</option>
                {LIGHT_DIRECTIONS.map((d) => (
                  <option key={d} value={d}>
                    {cap(d)}
                  </option>
                ))}
              </select>
            </Field>
            <div class="row">
              <Reference id="background-reference" label="Background reference" value={form.backgroundReference} selection={selection} onChange={(r) => update({ backgroundReference: r })} />
              <Reference id="light-reference" label="Light reference" value={form.lightReference} selection={selection} onChange={(r) => update({ lightReference: r })} />
            </div>
          </>
        )}
        <ProviderSelect id="edit-provider" value={form.provider} options={providerOptions(catalog, props.providers, offers, `edit.${form.kind}`)} onChange={(provider) => update({ provider })} />
        <CheckField id="edit-replace" label="Replace the image" hint={blocker} checked={replace} disabled={!!blocker} onChange={(r) => update({ replace: r })} />
        <Advanced id="edit" seed={form.seed} onSeed={(seed) => update({ seed })} />
      </div>
      <ActionFooter id="edit-run" label={info.label} busyLabel="Editing…" where={images ? batchWhere(images, replace) : resultWhere(image, replace)} badge={badge} job={job} onRun={onEdit}>
        {reuse && <ReuseChoice id="edit" fresh={fresh} price={estimate(priced, catalog, ctx).total} onChange={setFresh} />}
      </ActionFooter>
    </div>
  );
}
