// The inner loop made cheaper: each document's tokens become a Set, memoised.
// The idf is still recomputed for every document, from the whole corpus.

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

const tokenSets = new WeakMap<Document, Set<string>>();

function tokenSet(document: Document): Set<string> {
  let set = tokenSets.get(document);
  if (!set) tokenSets.set(document, (set = new Set(document.tokens)));
  return set;
}

function termFrequency(tokens: readonly string[], term: string): number {
  let count = 0;
  for (const token of tokens) if (token === term) count++;
  return tokens.length === 0 ? 0 : count / tokens.length;
}

function inverseDocumentFrequency(term: string, corpus: Corpus): number {
  let containing = 0;
  for (let index = 0; index < corpus.size; index++) {
    if (tokenSet(corpus.document(index)).has(term)) containing++;
  }
  return containing === 0 ? 0 : Math.log(1 + corpus.size / containing);
}

export function createSearchTool(corpus: Corpus): SearchTool {
  return {
    search(query, limit = 10) {
      const terms = [...new Set(tokenize(query))];
      const hits: SearchHit[] = [];
      for (let index = 0; index < corpus.size; index++) {
        const document = corpus.document(index);
        let score = 0;
        for (const term of terms) score += termFrequency(document.tokens, term) * inverseDocumentFrequency(term, corpus);
        if (score > 0) hits.push({ id: document.id, title: document.title, score });
      }
      hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return hits.slice(0, limit);
    },
  };
}
