/**
 * Regenerates the tables of docs/config.md from the config's zod schema: the top-level and tier fields
 * (src/config/settings_docs.ts) and the member fields (src/config/member_docs.ts). `npx tsx scripts/config_table.ts`
 * rewrites the part between each table's markers; test/config/documentation.test.ts fails when the committed page
 * differs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { CONFIG_TABLES, replaceGenerated } from "../src/config/config_tables.js";

const page = resolve(import.meta.dirname, "../docs/config.md");
let text = readFileSync(page, "utf8");
for (const table of CONFIG_TABLES) text = replaceGenerated(text, table.name, table.generate());
writeFileSync(page, text);
console.log(`docs/config.md: ${CONFIG_TABLES.map((table) => table.name).join(", ")} tables regenerated`);
