// Reads each document once, at start-up, into an array, and then runs the
// same quadratic idf over the copy: no corpus reads per search, same CPU.

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

function inverseDocumentFrequency(term: string, documents: readonly Document[]): number {
  let containing = 0;
  for (const document of documents) if (document.tokens.includes(term)) containing++;
  return containing === 0 ? 0 : Math.log(1 + documents.length / containing);
}

export function createSearchTool(corpus: Corpus): SearchTool {
  const documents = Array.from({ length: corpus.size }, (_, index) => corpus.document(index));
  return {
    search(query, limit = 10) {
      const terms = [...new Set(tokenize(query))];
      const hits: SearchHit[] = [];
      for (const document of documents) {
        let score = 0;
        for (const term of terms) score += termFrequency(document.tokens, term) * inverseDocumentFrequency(term, documents);
        if (score > 0) hits.push({ id: document.id, title: document.title, score });
      }
      hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return hits.slice(0, limit);
    },
  };
}
