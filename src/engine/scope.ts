// Deterministic freeing of native memory. Every tensor created inside scope(fn) is disposed when fn
// returns, except the tensors fn returns (directly, in an array or in a plain object), which move to
// the enclosing scope, and tensors passed to keep(). A tensor in no open scope (created outside every
// scope, returned from the outermost one, or kept) lives until dispose() or until the garbage
// collector finds it unreachable (native memory is reported to V8).

export interface Disposable {
  dispose(): void;
  /** Called once the item belongs to no open scope: from then on only dispose() or the garbage collector frees it. */
  unscoped?(): void;
}

const stack: Set<Disposable>[] = [];

/** Called by every new tensor: it joins the innermost open scope (or, where none is open, the collector). */
export function track(item: Disposable): void {
  const innermost = stack[stack.length - 1];
  if (innermost === undefined) item.unscoped?.();
  else innermost.add(item);
}

/** Takes the tensor out of every open scope, so it survives them; returns it. */
export function keep<T extends Disposable>(item: T): T {
  let wasScoped = false;
  for (const open of stack) wasScoped = open.delete(item) || wasScoped;
  if (wasScoped) item.unscoped?.();
  return item;
}

function collect(value: unknown, scopeItems: Set<Disposable>, into: Set<Disposable>, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (scopeItems.has(value as Disposable)) {
    into.add(value as Disposable);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, scopeItems, into, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype || value instanceof Map) {
    const values = value instanceof Map ? value.values() : Object.values(value);
    for (const item of values) collect(item, scopeItems, into, depth + 1);
  }
}

/** Runs fn and disposes every tensor it created but does not return. fn must be synchronous. */
export function scope<T>(fn: () => T): T {
  const items = new Set<Disposable>();
  stack.push(items);
  let survivors = new Set<Disposable>();
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new Error('scope(fn): fn returned a Promise; scopes only track synchronous work');
    }
    collect(result, items, survivors);
    return result;
  } catch (error) {
    survivors = new Set();
    throw error;
  } finally {
    stack.pop();
    for (const item of items) {
      if (survivors.has(item)) track(item);
      else item.dispose();
    }
  }
}
