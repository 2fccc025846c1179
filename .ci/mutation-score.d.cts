// Types of mutation-score.cjs for spec/mutation-gate.spec.ts.

/** A place in a source file, as in Stryker's reports: lines from 1, columns from 1. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** One mutant of Stryker's JSON report (mutation-testing-report-schema), with what the gate reads. */
export interface Mutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: Position; readonly end: Position };
  readonly status: string;
}

/** One mutated file of a report. */
export interface FileResult {
  readonly source: string;
  readonly mutants: readonly Mutant[];
}

/** Stryker's JSON report, or its incremental file, with what the gate reads. */
export interface Report {
  readonly files: Readonly<Record<string, FileResult>>;
}

/** A mutant that was not detected: file, first line, mutator, replacement and status. */
export interface Survivor {
  readonly file: string;
  readonly line: number;
  readonly mutatorName: string;
  readonly replacement: string;
  readonly status: string;
}

/** The gate's verdict on the mutants of changed code. */
export interface Verdict {
  readonly changed: number;
  readonly counted: number;
  readonly detected: number;
  readonly score: number | undefined;
  readonly survivors: readonly Survivor[];
  readonly threshold: number;
  readonly pass: boolean;
}

/** For each kept line of `before` (from 1), its line in `after`. */
export function keptLines(before: string, after: string): Map<number, number>;

/** The mutants of `report` in code changed since `baseline` (every one without a baseline). */
export function changedMutants(baseline: Report | undefined, report: Report): { file: string; mutant: Mutant }[];

/** The score of the changed mutants against `threshold` (90 by default). */
export function mutationGate(baseline: Report | undefined, report: Report, threshold?: number): Verdict;

/** The verdict as lines to print. */
export function describeGate(verdict: Verdict): string[];
