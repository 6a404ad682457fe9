/**
 * One value per Node process. Next.js bundles server code once per layer (route handlers, server components), so a
 * module-level `let` can exist twice in one process: two request buckets for one portal would together exceed it,
 * and two refresh single-flights would race (the database lease still holds, but at the cost of a wait). Anything
 * that must be shared by the whole process lives here, under a name that says what it is.
 */
const registry = globalThis as unknown as { __b24ProcessLocal?: Map<string, unknown> };

export function processLocal<T>(name: string, create: () => T): T {
  registry.__b24ProcessLocal ??= new Map();
  const map = registry.__b24ProcessLocal;
  if (!map.has(name)) map.set(name, create());
  return map.get(name) as T;
}
