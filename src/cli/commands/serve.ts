import { dirname } from "node:path";
import { pyramidFromConfig } from "../../config/build.js";
import { findPyramidConfig, loadPyramidConfig } from "../../config/load.js";
import { disposeLlamaCppEngines } from "../../config/providers/llamacpp.js";
import { PyramidConfigError } from "../../errors/index.js";
import { createPyramidServer, DEFAULT_MAX_BODY_BYTES } from "../../server/server.js";
import { parseCommandArgs } from "../args.js";
import type { CliCommand } from "../main.js";

const USAGE = `Usage: pyramid-moa serve [--config file] [--port 8000] [--host 127.0.0.1] [--token-env NAME] [--max-body-bytes N]

Serves the pyramid of a config file as an OpenAI-compatible API (docs/server.md):
  POST /v1/chat/completions   JSON or SSE streaming, tools; the routing trace in the "pyramid" field
  GET  /v1/models             the one model, "pyramid-moa" (or --model-id)
  GET  /health                liveness
SIGINT/SIGTERM stop accepting connections and finish the requests in flight (a second signal cuts them off).

Options:
  --config <file>         config file (default ./pyramid.config.yaml, .yml or .json)
  --port <n>              port (default 8000; 0 picks a free one)
  --host <addr>           address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)
  --token-env <NAME>      require "Authorization: Bearer <token>", the token read from env var NAME
  --max-body-bytes <n>    largest request body (default ${DEFAULT_MAX_BODY_BYTES})
  --model-id <id>         model id reported by the API (default pyramid-moa)
  -h, --help              show this help`;

function integer(value: string | undefined, flag: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new PyramidConfigError(`expected a whole number >= ${min}, got "${value}"`, { field: flag, fix: "see `pyramid-moa serve --help`" });
  }
  return n;
}

/** `pyramid-moa serve`: the pyramid of a config file as an OpenAI-compatible HTTP server. */
export const serveCommand: CliCommand = {
  summary: "serve the pyramid as an OpenAI-compatible API (/v1/chat/completions)",
  async run(argv) {
    const { values } = parseCommandArgs("serve", {
        args: [...argv],
        options: {
          config: { type: "string" },
          port: { type: "string" },
          host: { type: "string" },
          "token-env": { type: "string" },
          "max-body-bytes": { type: "string" },
          "model-id": { type: "string" },
          help: { type: "boolean", short: "h" },
        },
        strict: true,
      });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const port = integer(values.port, "--port", 0, 8000);
    if (port > 65535) throw new PyramidConfigError(`port ${port} is out of range`, { field: "--port", fix: "give a port between 0 and 65535" });
    const maxBodyBytes = integer(values["max-body-bytes"], "--max-body-bytes", 1, DEFAULT_MAX_BODY_BYTES);
    const tokenEnv = values["token-env"];
    let token: string | undefined;
    if (tokenEnv !== undefined) {
      token = process.env[tokenEnv];
      if (!token) {
        throw new PyramidConfigError(`the environment variable ${tokenEnv} is not set or empty`, {
          field: "--token-env",
          fix: `export ${tokenEnv}=<a long random token> before starting the server`,
        });
      }
    }
    const path = findPyramidConfig(values.config);
    const config = loadPyramidConfig(path);
    const model = await pyramidFromConfig(config, { baseDir: dirname(path) });
    const server = createPyramidServer({
      model,
      token,
      maxBodyBytes,
      modelId: values["model-id"],
      log: (line) => console.error(line),
    });
    try {
      const { url } = await server.listen(port, values.host ?? "127.0.0.1");
      console.log(`pyramid-moa serve: ${path} on ${url}/v1 (model "${values["model-id"] ?? "pyramid-moa"}"${token ? ", bearer token required" : ""})`);
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals) => {
          signals++;
          if (signals === 1) {
            console.error(`pyramid-moa serve: ${signal}: shutting down after ${server.inFlight} request(s) in flight`);
            server.close().then(() => {
              process.off("SIGINT", onSignal);
              process.off("SIGTERM", onSignal);
              resolve();
            }, resolve);
          } else {
            console.error(`pyramid-moa serve: ${signal} again: cutting off the requests in flight`);
            server.server.closeAllConnections();
          }
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
      });
      console.error("pyramid-moa serve: stopped");
      return 0;
    } finally {
      await disposeLlamaCppEngines();
    }
  },
};
