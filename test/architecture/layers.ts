// The layer table of docs/architecture.md, shared by the import rule (imports.test.ts) and the docs check (docs.test.ts).

/** The layers, from the ground up: a folder may import only from its own folder and from lower layers. */
export const LAYERS: readonly (readonly string[])[] = [
  ["errors"],
  ["utils", "security", "cost", "limits"],
  ["ledger"],
  ["answers"],
  ["core", "policy", "replay", "plots", "redis"],
  ["members", "telemetry"],
  ["sandbox"],
  ["features"],
  ["router", "engines"],
  ["graph"],
  ["traces"],
  ["chat_models", "eval"],
  ["config"],
  ["server"],
  ["cli", "index.ts"],
];

/**
 * The core (#24): the graph and the chat model record nothing and know no tenant. No file they reach through their
 * imports, however deep, lives in one of these folders: traffic recording is a callback handler in `traces/`, tenants
 * and HTTP live in `server/`, the Redis budget reaches the graph only through a `Ledger`.
 */
export const CORE_FOLDERS: readonly string[] = ["graph", "chat_models"];
/** Folders the core never reaches (see {@link CORE_FOLDERS}). */
export const OPERATIONS_FOLDERS: readonly string[] = ["traces", "server", "redis"];
