// The pure-math core: no Node APIs, no I/O, no globals. Runs unchanged in worker threads and browsers.
export * from './activations.js';
export * from './config.js';
export * from './datasets.js';
export * from './epoch-quantities.js';
export * from './epoch-trace.js';
export * from './init.js';
export * from './json.js';
export * from './losses.js';
export * from './network.js';
export * from './optimizers.js';
export * from './rng.js';
export * from './schedules.js';
export * from './train.js';
