// The library's surface is deliberate: `xorlab` and `xorlab/core` export exactly the names listed here (adding one
// means adding it here), each with a doc comment in the shipped declarations, and those declarations load no other
// package's types (a TypeScript user does not pay for zod's or vega-lite's) and, for xorlab/core, nothing of Node.
// Reads the build output (dist/), which `npm test` builds first.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');

/** What xorlab/core exports: training, prediction, datasets, the parameter table, errors, and their types. */
const CORE = [
  'ActivationName',
  'ChoiceParameter',
  'ConfigError',
  'DEFAULT_CONFIG',
  'Dataset',
  'DatasetError',
  'EngineName',
  'EngineUsed',
  'InitName',
  'LayersParameter',
  'LossName',
  'NumberParameter',
  'OptimizerName',
  'PARAMETERS',
  'PARAMETER_NAMES',
  'ParameterFile',
  'ParameterFileError',
  'ParameterName',
  'ParameterSpec',
  'Precision',
  'ScheduleName',
  'StringParameter',
  'SweepKind',
  'TraceEntry',
  'TrainOptions',
  'TrainingConfig',
  'TrainingConfigInput',
  'TrainingMetrics',
  'TrainingReport',
  'UpdateOrder',
  'XorlabError',
  'builtinDataset',
  'isBuiltinDataset',
  'makeDataset',
  'parseCsvDataset',
  'parseJsonDataset',
  'predict',
  'train',
  'withDefaults',
];

/** What xorlab adds: stores, studies, summaries, charts and their errors. */
const NODE_ONLY = [
  'AllocationError',
  'ChartDataError',
  'ChartFileError',
  'ChartFormat',
  'ChartSpec',
  'CompareGoalResult',
  'ComparedPoint',
  'CurveInput',
  'CurvePoint',
  'DesignFit',
  'FittedMinimum',
  'GoalAnswer',
  'GoalRefineOptions',
  'GoalRefinement',
  'GoalRound',
  'MetricMoments',
  'MetricName',
  'MinimumGoalResult',
  'MissingDatabaseError',
  'MissingPackageError',
  'OpenStoreOptions',
  'ParamValue',
  'PointQuery',
  'PointSummary',
  'PointValues',
  'RefineOptions',
  'RefinedPoint',
  'RunSummary',
  'Store',
  'StoreError',
  'StudyCurveOptions',
  'StudyDefinition',
  'StudyDefinitionInput',
  'StudyError',
  'StudyProgress',
  'StudyRecord',
  'StudyRefinement',
  'StudyRun',
  'StudyRunOptions',
  'StudySummary',
  'SummaryComparison',
  'SummaryMinimum',
  'SummaryOptions',
  'SummaryPoint',
  'TrialRow',
  'curveSpec',
  'openStore',
  'refineStudy',
  'renderChart',
  'runStudy',
  'studyCurveSpec',
  'studyHeatmapSpec',
  'summarizeStudy',
  'validateConfig',
];

function declarations(): { program: ts.Program; checker: ts.TypeChecker } {
  for (const entry of ['index.d.ts', 'core-entry.d.ts'])
    assert.ok(existsSync(join(dist, entry)), `dist/${entry} is missing: run npm run build`);
  const program = ts.createProgram([join(dist, 'index.d.ts'), join(dist, 'core-entry.d.ts')], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
    noEmit: true,
  });
  return { program, checker: program.getTypeChecker() };
}

/** Every name an entry exports (values and types), and the ones without a doc comment. */
function exportsOf(entry: string): { names: string[]; undocumented: string[] } {
  const { program, checker } = declarations();
  const file = program.getSourceFile(join(dist, entry))!;
  const symbols = checker.getExportsOfModule(checker.getSymbolAtLocation(file)!);
  const undocumented = symbols
    .filter((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return ts.displayPartsToString(target.getDocumentationComment(checker)).trim().length < 10;
    })
    .map((s) => s.name);
  return { names: symbols.map((s) => s.name).sort(), undocumented: undocumented.sort() };
}

const sorted = (names: string[]) => [...names].sort();

test('xorlab/core exports exactly the browser-safe surface, every name with a doc comment', () => {
  const { names, undocumented } = exportsOf('core-entry.d.ts');
  assert.deepEqual(names, sorted(CORE));
  assert.deepEqual(undocumented, []);
});

test('xorlab exports xorlab/core and the Node surface, every name with a doc comment', () => {
  const { names, undocumented } = exportsOf('index.d.ts');
  assert.deepEqual(names, sorted([...CORE, ...NODE_ONLY]));
  assert.deepEqual(undocumented, []);
});

test('the values exported at run time are those the declarations promise', async () => {
  const isType = (name: string) => /^[A-Z][a-z]/.test(name) && !name.endsWith('Error');
  const core = Object.keys(await import(join(dist, 'core-entry.js'))).sort();
  const node = Object.keys(await import(join(dist, 'index.js'))).sort();
  assert.deepEqual(core, CORE.filter((n) => !isType(n)).sort());
  assert.deepEqual(node, [...CORE, ...NODE_ONLY].filter((n) => !isType(n)).sort());
});

/** Every declaration file reached from `entry`, and each import of another package (with the file that makes it). */
function declarationGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages: string[] = [];
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s+|\bimport\()\s*['"]([^'"]+)['"]/g)) {
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.d.ts')));
      else packages.push(`${relative(dist, file)} imports ${spec}`);
    }
  };
  visit(join(dist, entry));
  return { files: [...files].map((f) => relative(dist, f)), packages };
}

test("the shipped declarations load no other package (no zod, no vega-lite); xorlab/core's reach nothing of Node", () => {
  const node = declarationGraph('index.d.ts');
  assert.deepEqual(node.packages, []);
  const core = declarationGraph('core-entry.d.ts');
  assert.deepEqual(core.packages, []);
  const nodeRooms = core.files.filter((f) => /^(engine|store|study|distributed|plot|cli|article|bench)\//.test(f));
  assert.deepEqual(nodeRooms, []);
  const nodeTypes = core.files.filter((f) => /\bNodeJS\.|\bBuffer\b/.test(readFileSync(join(dist, f), 'utf8')));
  assert.deepEqual(nodeTypes, []);
});

test('the graph walk sees an import of another package (so the test above can fail)', () => {
  // The internal plot modules build Vega-Lite specs: their declarations do import vega-lite.
  assert.ok(declarationGraph(join('plot', 'curve.d.ts')).packages.some((p) => p.endsWith('imports vega-lite')));
});
