/** The positions an ARN pattern can be at after some input. */
export type GlobStates = ReadonlySet<number>;

/**
 * IAM's matching of a resource pattern against an ARN: `*` matches any characters, `/` included,
 * and every other character itself. (IAM's `?`, one character, appears in no pattern the library
 * writes, and is matched literally here.) Fed a piece at a time, so a search can abandon a request
 * as soon as it can no longer match.
 */
export class GlobMatcher {
  constructor(public readonly pattern: string) {}

  public start(): GlobStates {
    return this.closure([0]);
  }

  public step(states: GlobStates, text: string): GlobStates {
    let current = states;
    for (const char of text) {
      const next: number[] = [];
      for (const position of current) {
        if (this.pattern[position] === '*') {
          next.push(position);
        } else if (this.pattern[position] === char) {
          next.push(position + 1);
        }
      }
      current = this.closure(next);
      if (current.size === 0) {
        break;
      }
    }
    return current;
  }

  public accepts(states: GlobStates): boolean {
    return states.has(this.pattern.length);
  }

  public matches(text: string): boolean {
    return this.accepts(this.step(this.start(), text));
  }

  /** A `*` may also match nothing. */
  private closure(positions: readonly number[]): Set<number> {
    const result = new Set(positions);
    for (const position of result) {
      if (this.pattern[position] === '*') {
        result.add(position + 1);
      }
    }
    return result;
  }
}

/** Whether the IAM resource pattern matches `text` (see {@link GlobMatcher}). */
export function globMatches(pattern: string, text: string): boolean {
  return new GlobMatcher(pattern).matches(text);
}
