// The smallest fix: idf computed once per term per search, then one pass to
// score. About (1 + terms) reads of each document per search, no index.

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

function termFrequency(tokens: readonly string[], term: string): number {
  let count = 0;
  for (const token of tokens) if (token === term) count++;
  return tokens.length === 0 ? 0 : count / tokens.length;
}

function inverseDocumentFrequency(term: string, corpus: Corpus): number {
  let containing = 0;
  for (let index = 0; index < corpus.size; index++) {
    if (corpus.document(index).tokens.includes(term)) containing++;
  }
  return containing === 0 ? 0 : Math.log(1 + corpus.size / containing);
}

export function createSearchTool(corpus: Corpus): SearchTool {
  return {
    search(query, limit = 10) {
      const terms = [...new Set(tokenize(query))];
      const idf = terms.map((term) => inverseDocumentFrequency(term, corpus));
      const hits: SearchHit[] = [];
      for (let index = 0; index < corpus.size; index++) {
        const document = corpus.document(index);
        let score = 0;
        for (let t = 0; t < terms.length; t++) score += termFrequency(document.tokens, terms[t]!) * idf[t]!;
        if (score > 0) hits.push({ id: document.id, title: document.title, score });
      }
      hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return hits.slice(0, limit);
    },
  };
}
