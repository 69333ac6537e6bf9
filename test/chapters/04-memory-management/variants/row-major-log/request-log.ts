// An in-memory log of recent requests, stored row by row in one ArrayBuffer:
// a fixed 24-byte record read and written through a DataView.

export interface RequestRecord {
  /** When the request arrived, epoch ms. */
  at: number;
  tool: string;
  status: number;
  durationMs: number;
  responseBytes: number;
}

/** at f64 | durationMs f64 | responseBytes u32 | status u16 | tool id u16 */
const RECORD_BYTES = 24;

export class RequestLog {
  #length = 0;
  #view = new DataView(new ArrayBuffer(RECORD_BYTES * 1_024));
  #toolNames: string[] = [];
  #toolIds = new Map<string, number>();

  get length(): number {
    return this.#length;
  }

  push(record: RequestRecord): void {
    if ((this.#length + 1) * RECORD_BYTES > this.#view.byteLength) {
      // Double the buffer; a DataView ignores nothing, it throws past the end.
      const bigger = new Uint8Array(this.#view.byteLength * 2);
      bigger.set(new Uint8Array(this.#view.buffer));
      this.#view = new DataView(bigger.buffer);
    }
    const at = this.#length++ * RECORD_BYTES;
    this.#view.setFloat64(at, record.at, true);
    this.#view.setFloat64(at + 8, record.durationMs, true);
    this.#view.setUint32(at + 16, record.responseBytes, true);
    this.#view.setUint16(at + 20, record.status, true);
    this.#view.setUint16(at + 22, this.#idOf(record.tool), true);
  }

  at(index: number): RequestRecord | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) return undefined;
    const at = index * RECORD_BYTES;
    return {
      at: this.#view.getFloat64(at, true),
      tool: this.#toolNames[this.#view.getUint16(at + 22, true)]!,
      status: this.#view.getUint16(at + 20, true),
      durationMs: this.#view.getFloat64(at + 8, true),
      responseBytes: this.#view.getUint32(at + 16, true),
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
}
