// Training configurations: the one parameter table (pure data, browser-safe) and the schema derived from it (zod);
// the run-options table of how a study's trials run.
export * from './parameters.js';
export * from './names.js';
export * from './schema.js';
export * from './run-options.js';
