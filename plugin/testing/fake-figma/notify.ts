// figma.notify. plugin-api.d.ts, PluginAPI.notify: "message - The message to show. It is limited to 100
// characters. Longer messages will be truncated."; "Calling `figma.notify` returns a `NotificationHandler`
// object. This object contains a single `handler.cancel()` method"; timeout "Defaults to 3 seconds".
import { expectType } from "./checks.ts";
import { checkOpen, PRIVATE, type Doc, type NotificationRecord } from "./internal.ts";

export const NOTIFY_MAX_LENGTH = 100;
export const NOTIFY_DEFAULT_TIMEOUT = 3000;

export class FakeNotificationHandler implements NotificationHandler {
  readonly [PRIVATE]: { record: NotificationRecord; onDequeue: NotificationOptions["onDequeue"] };

  constructor(record: NotificationRecord, onDequeue: NotificationOptions["onDequeue"]) {
    this[PRIVATE] = { record, onDequeue };
  }

  /** plugin-api.d.ts, NotificationOptions.onDequeue runs when the notification is dismissed ("dismiss"). */
  readonly cancel = (): void => {
    const { record, onDequeue } = this[PRIVATE];
    if (record.cancelled) return;
    record.cancelled = true;
    onDequeue?.("dismiss");
  };
}

export function notify(doc: Doc, message: string, options?: NotificationOptions): FakeNotificationHandler {
  checkOpen(doc, "notify");
  expectType("notify", "message", message, "string");
  const record: NotificationRecord = {
    message,
    shown: [...message].slice(0, NOTIFY_MAX_LENGTH).join(""),
    error: options?.error ?? false,
    timeout: options?.timeout ?? NOTIFY_DEFAULT_TIMEOUT,
    button: options?.button?.text,
    cancelled: false,
  };
  doc.records.notifications.push(record);
  return new FakeNotificationHandler(record, options?.onDequeue);
}
