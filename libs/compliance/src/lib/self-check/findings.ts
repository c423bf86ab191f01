export type FindingStatus = 'PASS' | 'WARN' | 'FAIL';

/** One line of the report: what was seen, which municipal requirements it bears on, and why it matters. */
export interface Finding {
  readonly status: FindingStatus;
  /** Requirement IDs from the catalogue, e.g. `TH-8`. */
  readonly requirements: readonly string[];
  readonly message: string;
}

export function pass(requirements: readonly string[], message: string): Finding {
  return { status: 'PASS', requirements, message };
}

export function warn(requirements: readonly string[], message: string): Finding {
  return { status: 'WARN', requirements, message };
}

export function fail(requirements: readonly string[], message: string): Finding {
  return { status: 'FAIL', requirements, message };
}

/** The letters both public services use, best first. securityheaders.com never gives A-. */
export const LETTER_GRADES = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F'] as const;
export type LetterGrade = (typeof LETTER_GRADES)[number];

/**
 * SSL Labs' grades for a server it could rate but not trust: T (certificate not trusted) and
 * M (certificate does not name the host). Neither meets SV-3.
 */
export type TrustGrade = 'T' | 'M';

export type Grade = LetterGrade | TrustGrade;

/** SV-3, TH-18 and TH-19 ask for "at least A"; A- is below A. */
export function meetsGradeA(grade: Grade): boolean {
  return grade === 'A+' || grade === 'A';
}

/** The worse of two letter grades. */
export function worseOf(first: LetterGrade, second: LetterGrade): LetterGrade {
  return LETTER_GRADES.indexOf(first) >= LETTER_GRADES.indexOf(second) ? first : second;
}
