// A small pickle virtual machine (https://github.com/python/cpython/blob/main/Lib/pickletools.py) for
// the opcodes torch.save writes: protocol 2, plus the protocol 3–4 opcodes for bytes, short strings,
// memoizing and framing that newer picklers use. Tuples and lists both become arrays, dicts Maps.
// The caller says which Python globals exist and what calling one (REDUCE) or a persistent id
// (BINPERSID) yields; T is the type of the objects it makes.

/** A Python global (module.name) named by GLOBAL or STACK_GLOBAL. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  toString(): string {
    return `${this.module}.${this.name}`;
  }
}

export type PickleValue<T> = T | null | boolean | number | string | Uint8Array | PyGlobal | PickleValue<T>[] | PickleDict<T>;
export interface PickleDict<T> extends Map<PickleValue<T>, PickleValue<T>> {}

export interface UnpickleHooks<T> {
  /** Whether the global may be loaded; the VM throws for one that may not. */
  allows(global: PyGlobal): boolean;
  /** REDUCE: the result of calling callable(...args). */
  call(callable: PickleValue<T>, args: PickleValue<T>[]): PickleValue<T>;
  /** BINPERSID: the object a persistent id stands for. */
  persistentLoad(id: PickleValue<T>): PickleValue<T>;
}

/** Runs the pickle in bytes and returns the object it builds; throws on opcodes outside the subset. */
export function unpickle<T>(bytes: Uint8Array, hooks: UnpickleHooks<T>): PickleValue<T> {
  return new Machine(bytes, hooks).run();
}

const utf8 = new TextDecoder();

class Machine<T> {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #hooks: UnpickleHooks<T>;
  #at = 0;
  #stack: PickleValue<T>[] = [];
  readonly #marks: PickleValue<T>[][] = [];
  readonly #memo = new Map<number, PickleValue<T>>();

  constructor(bytes: Uint8Array, hooks: UnpickleHooks<T>) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#hooks = hooks;
  }

  run(): PickleValue<T> {
    for (;;) {
      const at = this.#at;
      const opcode = this.#uint(1);
      switch (opcode) {
        case 0x80: this.#uint(1); break; // PROTO
        case 0x95: this.#uint(8); break; // FRAME: only a hint for buffered reading
        case 0x63: this.#push(this.#global(this.#line(), this.#line())); break; // GLOBAL
        case 0x93: { // STACK_GLOBAL
          const name = this.#pop();
          const module = this.#pop();
          if (typeof module !== 'string' || typeof name !== 'string') throw new Error(`STACK_GLOBAL at byte ${at} needs two strings`);
          this.#push(this.#global(module, name));
          break;
        }
        case 0x71: this.#memo.set(this.#uint(1), this.#top()); break; // BINPUT
        case 0x72: this.#memo.set(this.#uint(4), this.#top()); break; // LONG_BINPUT
        case 0x94: this.#memo.set(this.#memo.size, this.#top()); break; // MEMOIZE
        case 0x68: this.#push(this.#recall(this.#uint(1))); break; // BINGET
        case 0x6a: this.#push(this.#recall(this.#uint(4))); break; // LONG_BINGET
        case 0x28: this.#marks.push(this.#stack); this.#stack = []; break; // MARK
        case 0x29: this.#push([]); break; // EMPTY_TUPLE
        case 0x74: this.#push(this.#popMark()); break; // TUPLE
        case 0x85: this.#push(this.#popN(1)); break; // TUPLE1
        case 0x86: this.#push(this.#popN(2)); break; // TUPLE2
        case 0x87: this.#push(this.#popN(3)); break; // TUPLE3
        case 0x5d: this.#push([]); break; // EMPTY_LIST
        case 0x61: this.#list().push(this.#pop()); break; // APPEND
        case 0x65: { // APPENDS
          const items = this.#popMark();
          this.#list().push(...items);
          break;
        }
        case 0x7d: this.#push(new Map()); break; // EMPTY_DICT
        case 0x73: this.#setItems(this.#popN(2)); break; // SETITEM
        case 0x75: this.#setItems(this.#popMark()); break; // SETITEMS
        case 0x4a: this.#push(this.#view.getInt32(this.#advance(4), true)); break; // BININT
        case 0x4b: this.#push(this.#uint(1)); break; // BININT1
        case 0x4d: this.#push(this.#uint(2)); break; // BININT2
        case 0x8a: this.#push(this.#long(this.#uint(1))); break; // LONG1
        case 0x47: this.#push(this.#view.getFloat64(this.#advance(8), false)); break; // BINFLOAT is big-endian
        case 0x4e: this.#push(null); break; // NONE
        case 0x88: this.#push(true); break; // NEWTRUE
        case 0x89: this.#push(false); break; // NEWFALSE
        case 0x58: this.#push(this.#text(this.#uint(4))); break; // BINUNICODE
        case 0x8c: this.#push(this.#text(this.#uint(1))); break; // SHORT_BINUNICODE
        case 0x8d: this.#push(this.#text(this.#uint(8))); break; // BINUNICODE8
        case 0x42: this.#push(this.#take(this.#uint(4)).slice()); break; // BINBYTES
        case 0x43: this.#push(this.#take(this.#uint(1)).slice()); break; // SHORT_BINBYTES
        case 0x51: this.#push(this.#hooks.persistentLoad(this.#pop())); break; // BINPERSID
        case 0x52: { // REDUCE
          const args = this.#pop();
          const callable = this.#pop();
          if (!Array.isArray(args)) throw new Error(`REDUCE at byte ${at} has no argument tuple`);
          this.#push(this.#hooks.call(callable, args));
          break;
        }
        case 0x62: { // BUILD
          this.#pop(); // the state: attributes (e.g. an OrderedDict's _metadata), which a Map cannot hold
          if (!(this.#top() instanceof Map)) throw new Error(`BUILD at byte ${at} sets the state of an object other than a dict`);
          break;
        }
        case 0x2e: return this.#pop(); // STOP
        default: throw new Error(`unsupported pickle opcode 0x${opcode.toString(16).padStart(2, '0')} at byte ${at}`);
      }
    }
  }

  /** Moves past n bytes and returns where they start. */
  #advance(n: number): number {
    const start = this.#at;
    if (start + n > this.#bytes.length) throw new Error(`the pickle ends at byte ${this.#bytes.length}, inside an opcode (truncated?)`);
    this.#at += n;
    return start;
  }

  #take(n: number): Uint8Array {
    const start = this.#advance(n);
    return this.#bytes.subarray(start, start + n);
  }

  /** An unsigned little-endian integer of n bytes (1, 2, 4 or 8). */
  #uint(n: number): number {
    const at = this.#advance(n);
    if (n === 1) return this.#view.getUint8(at);
    if (n === 2) return this.#view.getUint16(at, true);
    if (n === 4) return this.#view.getUint32(at, true);
    const value = this.#view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`a length of ${value} at byte ${at} is too large`);
    return Number(value);
  }

  /** LONG1's payload: a little-endian two's-complement integer of n bytes. */
  #long(n: number): number {
    const bytes = this.#take(n);
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
    if (n > 0 && bytes[n - 1] >= 0x80) value -= 1n << BigInt(8 * n);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`the integer ${value} is too large`);
    return Number(value);
  }

  #text(n: number): string {
    return utf8.decode(this.#take(n));
  }

  /** GLOBAL's arguments: a line of text ending in a newline. */
  #line(): string {
    const end = this.#bytes.indexOf(0x0a, this.#at);
    if (end < 0) throw new Error('the pickle ends inside a GLOBAL (truncated?)');
    return this.#text(end - this.#at + 1).slice(0, -1);
  }

  #global(module: string, name: string): PyGlobal {
    const global = new PyGlobal(module, name);
    if (!this.#hooks.allows(global)) throw new Error(`it uses the Python global '${global}'`);
    return global;
  }

  #recall(key: number): PickleValue<T> {
    if (!this.#memo.has(key)) throw new Error(`the pickle reads memo entry ${key}, which was never stored`);
    return this.#memo.get(key)!;
  }

  #push(value: PickleValue<T>): void {
    this.#stack.push(value);
  }

  #top(): PickleValue<T> {
    if (this.#stack.length === 0) throw new Error(`the pickle reads an empty stack at byte ${this.#at - 1}`);
    return this.#stack[this.#stack.length - 1];
  }

  #pop(): PickleValue<T> {
    const value = this.#top();
    this.#stack.pop();
    return value;
  }

  #popN(n: number): PickleValue<T>[] {
    if (this.#stack.length < n) throw new Error(`the pickle reads an empty stack at byte ${this.#at - 1}`);
    return this.#stack.splice(this.#stack.length - n, n);
  }

  /** The items pushed since the last MARK, which is removed. */
  #popMark(): PickleValue<T>[] {
    const items = this.#stack;
    const below = this.#marks.pop();
    if (below === undefined) throw new Error(`the pickle has no MARK before byte ${this.#at - 1}`);
    this.#stack = below;
    return items;
  }

  #list(): PickleValue<T>[] {
    const list = this.#top();
    if (!Array.isArray(list)) throw new Error(`APPEND at byte ${this.#at - 1} to something other than a list`);
    return list;
  }

  /** SETITEM(S): alternating keys and values into the dict on the top of the stack. */
  #setItems(items: PickleValue<T>[]): void {
    const dict = this.#top();
    if (!(dict instanceof Map)) throw new Error(`SETITEM at byte ${this.#at - 1} into something other than a dict`);
    for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i], items[i + 1]);
  }
}
