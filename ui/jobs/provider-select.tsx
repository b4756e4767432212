// Auto or one provider; those this proxy has no key for stay listed, disabled, with the proxy's reason, and
// models reported gone show on their provider (provider-options.ts).
import { Field } from "../widgets/field.tsx";
import { AUTO, providerLabel, type ProviderOption } from "./provider-options.ts";

export function ProviderSelect({ id, value, options, onChange }: { id: string; value: string; options: ProviderOption[]; onChange(value: string): void }) {
  return (
    <Field id={id} label="Provider">
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value={AUTO}>Auto</option>
        {options.map((p) => (
          <option key={p.id} value={p.id} disabled={!p.configured} title={p.reason ?? p.note}>
            {providerLabel(p)}
          </option>
        ))}
      </select>
    </Field>
  );
}
