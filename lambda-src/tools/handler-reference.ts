/**
 * A local registry file's `handler`: `./tools/echo.js#handler`, a module path
 * (relative to the file) and the name of an exported function, `handler` when the
 * `#name` part is left out.
 */
export interface HandlerReference {
  readonly path: string;
  readonly exportName: string;
}

export function parseHandler(handler: string): HandlerReference | undefined {
  const hash = handler.lastIndexOf('#');
  const path = hash === -1 ? handler : handler.slice(0, hash);
  const exportName = hash === -1 ? 'handler' : handler.slice(hash + 1);
  if (!path || !/^[A-Za-z_$][\w$]*$/.test(exportName)) return undefined;
  return { path, exportName };
}
