// Relaunch commands, shared by the sandbox and the manifest test (so this file imports nothing).
export const REGENERATE_COMMAND = "regenerate";
