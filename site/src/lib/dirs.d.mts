export declare const repoRoot: string;
export declare function resultsDir(): string;
export declare function progressDir(): string;
