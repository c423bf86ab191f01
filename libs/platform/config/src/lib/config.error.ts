/** A configuration that cannot run. Lists every problem so they can all be fixed in one pass. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Configuration is not valid:\n${problems.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
