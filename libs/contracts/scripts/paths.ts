import { fileURLToPath } from 'node:url';

/** The schema lock folder: libs/contracts/schemas. */
export const SCHEMA_LOCK_DIR = fileURLToPath(new URL('../schemas', import.meta.url));
