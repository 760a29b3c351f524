import { PyramidConfigError } from "../errors/index.js";

/**
 * A one-line {@link PyramidConfigError} (naming `--port` or `--host` and the fix) for the usual reasons `listen` fails:
 * the port is taken, the host is not an address of this machine or cannot be resolved, the port needs privileges.
 * Other errors are returned unchanged.
 */
export function listenError(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "EADDRINUSE":
      return new PyramidConfigError(`port ${port} on ${host} is already in use`, {
        field: "--port",
        fix: `stop the process listening there (see \`ss -ltnp 'sport = :${port}'\`), or pick another port (--port 0 picks a free one)`,
      });
    case "EADDRNOTAVAIL":
      return new PyramidConfigError(`${host} is not an address of this machine`, {
        field: "--host",
        fix: "use 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or one of this machine's addresses",
      });
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
    case "EAI_NONAME":
      return new PyramidConfigError(`the host name "${host}" could not be resolved`, {
        field: "--host",
        fix: "use an IP address such as 127.0.0.1 or 0.0.0.0, or a host name this machine resolves",
      });
    case "EACCES":
      return new PyramidConfigError(`no permission to listen on port ${port}`, {
        field: "--port",
        fix: "use a port above 1023, or grant the capability to bind low ports",
      });
    default:
      return error;
  }
}
