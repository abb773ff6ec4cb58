// Deterministic freeing of native memory. Every tensor created inside scope(fn) is disposed when fn
// returns, except the tensors fn returns (directly, in an array or in a plain object), which move to
// the enclosing scope, and tensors passed to keep(). A tensor in no open scope (created outside every
// scope, returned from the outermost one, or kept) lives until dispose() or until the garbage
// collector finds it unreachable (native memory is reported to V8).

/** The slot where a scoped item records the open scope that owns it (engine bookkeeping). */
export const owningScope: unique symbol = Symbol('histonuc.owningScope');

export interface Disposable {
  dispose(): void;
  /** Called once the item belongs to no open scope: from then on only dispose() or the garbage collector frees it. */
  unscoped?(): void;
  [owningScope]?: Disposable[] | null;
}

// One array per open scope: the items created in it, in order. An item that leaves a scope early
// (keep()) stays in the array but no longer names it as its owner, and is skipped when the scope ends.
const stack: Disposable[][] = [];

/** Called by every new tensor: it joins the innermost open scope (or, where none is open, the collector). */
export function track(item: Disposable): void {
  const innermost = stack[stack.length - 1];
  if (innermost === undefined) {
    item[owningScope] = null;
    item.unscoped?.();
  } else {
    innermost.push(item);
    item[owningScope] = innermost;
  }
}

/** Takes the tensor out of every open scope, so it survives them; returns it. */
export function keep<T extends Disposable>(item: T): T {
  if (item[owningScope]) {
    item[owningScope] = null;
    item.unscoped?.();
  }
  return item;
}

function collect(value: unknown, scopeItems: Disposable[], into: Set<Disposable>, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if ((value as Disposable)[owningScope] === scopeItems) {
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

/**
 * Runs fn and disposes every tensor it created but does not return, in creation order (measured
 * faster than newest first: glibc's allocator then reuses and merges freed blocks more cheaply).
 * fn must be synchronous.
 */
export function scope<T>(fn: () => T): T {
  const items: Disposable[] = [];
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
      if (item[owningScope] !== items) continue;
      if (survivors.has(item)) {
        track(item);
      } else {
        item[owningScope] = null;
        item.dispose();
      }
    }
  }
}
