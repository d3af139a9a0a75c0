// Pure: no value import of the contracts, so the gate can load them inside its error handling.

/** Identity of one contract version, as named by its schema lock file. */
export interface ContractVersionId {
  readonly source: string;
  readonly detailType: string;
  readonly version: number;
}

/** Lock file of a contract version, relative to the schema lock folder: `<source>/<DetailType>.v<N>.json`. */
export function lockFileFor(id: ContractVersionId): string {
  return `${id.source}/${id.detailType}.v${id.version}.json`;
}

const LOCK_FILE = /^(?<source>[^/]+)\/(?<detailType>[^/]+)\.v(?<version>[1-9]\d*)\.json$/;

/** Reads a lock file path back into the contract version it holds, or undefined for other files. */
export function parseLockFile(relativePath: string): ContractVersionId | undefined {
  const match = LOCK_FILE.exec(relativePath);
  if (!match?.groups) return undefined;
  return { source: match.groups.source!, detailType: match.groups.detailType!, version: Number(match.groups.version) };
}

/** The exact text committed for a schema: stable key order from the generator, two-space indent, final newline. */
export function serialiseSchema(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
