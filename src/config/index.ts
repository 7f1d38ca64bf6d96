// Training configurations: the one parameter table (pure data, browser-safe) and the schema derived from it (zod).
export * from './parameters.js';
export * from './names.js';
export * from './schema.js';
