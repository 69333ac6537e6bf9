// Checks on the HTTP request itself, before any JSON is read. A local MCP
// server is reachable from every web page the user opens: without the Host
// check, DNS rebinding lets evil.example resolve to 127.0.0.1 and call tools;
// without the Origin check, any page can POST to it. The SDK 1.32's own
// options for this are deprecated and off by default, so they live here.

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface HostPolicy {
  /** Does this Host header name us? */
  hostAllowed(host: string | undefined): boolean;
  /** May a page from this Origin call us? (No Origin: not a browser, allowed.) */
  originAllowed(origin: string | undefined): boolean;
}

export function hostPolicy(port: () => number, extraHosts: readonly string[], extraOrigins: readonly string[]): HostPolicy {
  const hosts = new Set(extraHosts.map((h) => h.toLowerCase()));
  const origins = new Set(extraOrigins.map((o) => o.toLowerCase()));
  return {
    hostAllowed(host) {
      if (!host) return false;
      const value = host.toLowerCase();
      if (hosts.has(value)) return true;
      const colon = value.lastIndexOf(':');
      // "[::1]" alone has colons but no port after the bracket.
      const hasPort = colon > value.lastIndexOf(']');
      const name = hasPort ? value.slice(0, colon) : value;
      const portText = hasPort ? value.slice(colon + 1) : '80';
      return LOOPBACK_HOSTNAMES.has(name) && portText === String(port());
    },
    originAllowed(origin) {
      if (origin === undefined) return true;
      const value = origin.toLowerCase();
      if (origins.has(value)) return true;
      // Pages served from this machine (the MCP Inspector, a local app) on any port.
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return false; // includes "null", sent by sandboxed frames and file: pages
      }
      return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTNAMES.has(url.hostname);
    },
  };
}

/** application/json, with or without parameters (charset), nothing else (not application/jsonx). */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase() === 'application/json';
}

/** Streamable HTTP: a POST must accept both a JSON answer and an SSE stream. */
export function acceptsJsonAndSse(value: string | undefined): boolean {
  if (!value) return false;
  return (value.includes('application/json') || value.includes('*/*')) && (value.includes('text/event-stream') || value.includes('*/*'));
}
