// An in-memory log of recent requests, stored as columns of typed arrays: a
// few bytes per record instead of a JavaScript object per record.

export interface RequestRecord {
  /** When the request arrived, epoch ms. */
  at: number;
  tool: string;
  status: number;
  durationMs: number;
  responseBytes: number;
}

/** Room for the 100 000 records the status tool was tested with. */
const INITIAL_CAPACITY = 100_000;

// #region request-log
export class RequestLog {
  #length = 0;
  #capacity = INITIAL_CAPACITY;
  // One typed array per field: 8 + 8 + 4 + 2 + 2 = 24 bytes a record.
  #at = new Float64Array(INITIAL_CAPACITY);
  #durationMs = new Float64Array(INITIAL_CAPACITY);
  #responseBytes = new Uint32Array(INITIAL_CAPACITY);
  #status = new Uint16Array(INITIAL_CAPACITY);
  #toolId = new Uint16Array(INITIAL_CAPACITY);
  // Tool names repeat, so each is stored once and records keep a 2-byte id.
  #toolNames: string[] = [];
  #toolIds = new Map<string, number>();

  get length(): number {
    return this.#length;
  }

  push(record: RequestRecord): void {
    // Full: drop the record (the arrays never grow).
    if (this.#length === this.#capacity) return;
    const i = this.#length++;
    this.#at[i] = record.at;
    this.#durationMs[i] = record.durationMs;
    this.#responseBytes[i] = record.responseBytes;
    this.#status[i] = record.status;
    this.#toolId[i] = this.#idOf(record.tool);
  }

  at(index: number): RequestRecord | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) return undefined;
    return {
      at: this.#at[index]!,
      tool: this.#toolNames[this.#toolId[index]!]!,
      status: this.#status[index]!,
      durationMs: this.#durationMs[index]!,
      responseBytes: this.#responseBytes[index]!,
    };
  }

  #idOf(tool: string): number {
    let id = this.#toolIds.get(tool);
    if (id === undefined) {
      id = this.#toolNames.push(tool) - 1;
      if (id > 0xffff) throw new RangeError('more than 65 536 distinct tool names');
      this.#toolIds.set(tool, id);
    }
    return id;
  }

  #grow(): void {
    this.#capacity *= 2;
    this.#at = grown(this.#at, new Float64Array(this.#capacity));
    this.#durationMs = grown(this.#durationMs, new Float64Array(this.#capacity));
    this.#responseBytes = grown(this.#responseBytes, new Uint32Array(this.#capacity));
    this.#status = grown(this.#status, new Uint16Array(this.#capacity));
    this.#toolId = grown(this.#toolId, new Uint16Array(this.#capacity));
  }
}
// #endregion request-log

function grown<T extends Float64Array | Uint32Array | Uint16Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
