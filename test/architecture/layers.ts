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
