// A class holding per-document term counts and document frequencies, built
// once; search is a method that reads them through `this`.

export interface Document {
  id: string;
  title: string;
  /** The body, already tokenised (see tokenize). */
  tokens: readonly string[];
}

/** Read-only access to the documents, by position. */
export interface Corpus {
  readonly size: number;
  document(index: number): Document;
}

export interface SearchHit {
  id: string;
  title: string;
  score: number;
}

export interface SearchTool {
  /**
   * Score every document against the distinct terms of `query`:
   *   score(d) = Σ over terms t of tf(t, d) × idf(t)
   *   tf(t, d) = occurrences of t in d ÷ tokens in d
   *   idf(t)   = ln(1 + N ÷ df(t)), df(t) = documents containing t (terms in no document add nothing)
   * Return the `limit` best (default 10) with a score above 0, best first, ties by id.
   */
  search(query: string, limit?: number): SearchHit[];
}

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

class DocumentIndex implements SearchTool {
  readonly #documents: Array<{ id: string; title: string; counts: Map<string, number>; length: number }> = [];
  readonly #documentFrequency = new Map<string, number>();

  constructor(corpus: Corpus) {
    for (let index = 0; index < corpus.size; index++) {
      const { id, title, tokens } = corpus.document(index);
      const counts = new Map<string, number>();
      for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
      for (const term of counts.keys()) this.#documentFrequency.set(term, (this.#documentFrequency.get(term) ?? 0) + 1);
      this.#documents.push({ id, title, counts, length: tokens.length });
    }
  }

  search(query: string, limit = 10): SearchHit[] {
    const weighted = [...new Set(tokenize(query))]
      .map((term) => ({ term, df: this.#documentFrequency.get(term) ?? 0 }))
      .map(({ term, df }) => ({ term, idf: df === 0 ? 0 : Math.log(1 + this.#documents.length / df) }));
    const hits: SearchHit[] = [];
    for (const document of this.#documents) {
      let score = 0;
      for (const { term, idf } of weighted) score += ((document.counts.get(term) ?? 0) / document.length) * idf;
      if (score > 0) hits.push({ id: document.id, title: document.title, score });
    }
    return hits.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, limit);
  }
}

export function createSearchTool(corpus: Corpus): SearchTool {
  return new DocumentIndex(corpus);
}
