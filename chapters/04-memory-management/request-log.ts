// An in-memory log of recent requests, for the status tool and for finding
// slow calls after the fact.

export interface RequestRecord {
  /** When the request arrived, epoch ms. */
  at: number;
  tool: string;
  status: number;
  durationMs: number;
  responseBytes: number;
}

// #region request-log
export class RequestLog {
  readonly #records: RequestRecord[] = [];

  get length(): number {
    return this.#records.length;
  }

  push(record: RequestRecord): void {
    this.#records.push({ ...record });
  }

  at(index: number): RequestRecord | undefined {
    if (!Number.isInteger(index) || index < 0) return undefined;
    const record = this.#records[index];
    return record && { ...record };
  }
}
// #endregion request-log
