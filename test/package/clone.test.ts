// A newcomer's path, as the README writes it: a fresh copy of the project, the README's set-up (`npm install`, then
// `npm link --ignore-scripts` to put `xorlab` on the PATH), then every command of the README's sh blocks, in order,
// in one working folder, each exiting 0; and a project that installs xorlab from the clone's path, as the README's
// library section says.
//
// Kept fast and offline: the copy is this checkout's tracked and untracked files (what `git clone` of the working
// tree would give), its node_modules a link to this checkout's and its dist/ a copy of this checkout's build (that is
// what `npm install` makes; the build itself is tested everywhere else). `npm link` goes to a global folder of the
// test's own (npm_config_prefix), never the machine's. Commands train small: a few flags are added to each (fewer
// epochs, points and repeats); commands that need a database server or run until Ctrl-C are named and skipped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Flags added at the end of a command so that it trains little (the last of a repeated flag wins). */
const SMALL: [RegExp, string][] = [
  [/^npm start$/, ' -- --epochs 300 --points 8 --repeats 2'],
  [/^xorlab reproduce\b/, ' --epochs 300 --points 8 --repeats 2'],
  [/^xorlab sweep\b/, ' --epochs 300 --repeats 2'],
  [/^xorlab refine\b.*--goal minimum\b/, ' --budget 200'],
  [/^xorlab refine\b/, ' --budget 40'],
  [/^xorlab (train|plot weights|plot loss)\b/, ' --epochs 300'],
];

/** Lines of the README's sh blocks that are not run here, and why. Any other line must be run: a new kind of
 * command in the README gets a rule here or is run. */
const NOT_RUN: [RegExp, string][] = [
  [
    /postgres:\/\/|mongodb:\/\/|XORLAB_DB|--distributed|^xorlab worker\b/,
    'needs a database server (test/store/, test/study/distributed/)',
  ],
  [/^xorlab serve\b/, 'runs until Ctrl-C (test/server/, test/cli/serve*)'],
  [/^npm install\b/, "the set-up: node_modules and dist/ are this checkout's (and the path install below)"],
  [/^npm test\b/, 'the whole test suite, of which this test is one'],
  [/^npm run build:web\b/, 'the build (done by npm install)'],
  [
    /\/path\/to\/xorlab|^mkdir my-lab|^npx tsc/,
    'the library set-up: the path install below and test/package/pack.test.ts',
  ],
];

/** The commands of the README's ```sh blocks, one per line, without comments. */
export function readmeCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  return blocks
    .flatMap((block) => block.split('\n'))
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The command with SMALL's flags, put before any redirection. */
function small(command: string): string {
  const rule = SMALL.find(([pattern]) => pattern.test(command));
  if (rule === undefined) return command;
  const [head, redirect] = command.split(/\s(?=>)/, 2);
  return `${head}${rule[1]}${redirect === undefined ? '' : ` ${redirect}`}`;
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): string {
  const started = performance.now();
  const result = spawnSync('bash', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 300_000 });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  assert.equal(
    result.status,
    0,
    `\`${command}\` exited ${result.status} (${seconds} s):\n${result.stdout}\n${result.stderr}`,
  );
  process.stderr.write(`# ${seconds} s: ${command}\n`);
  return result.stdout;
}

/** The environment of a shell without what an enclosing `npm test` sets (npm_config_prefix among them). */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = /^npm_config_(registry|cache|cafile|userconfig|globalconfig|strict_ssl|proxy|https_proxy|noproxy)$/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || kept.test(key)));
  delete env.XORLAB_DB;
  return { ...env, ...extra };
}

/** A fresh copy of the project: the files git knows (tracked, and untracked but not ignored), as a clone has them. */
function freshCopy(into: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(listed.status, 0, listed.stderr);
  for (const file of listed.stdout.split('\0').filter((f) => f !== '' && existsSync(join(root, f)))) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(root, file), join(into, file));
  }
  symlinkSync(realpathSync(join(root, 'node_modules')), join(into, 'node_modules'));
  cpSync(join(root, 'dist'), join(into, 'dist'), { recursive: true });
}

test("the README's commands are found, and each is run or named as not run", () => {
  const commands = readmeCommands(readFileSync(join(root, 'README.md'), 'utf8'));
  assert.ok(
    commands.includes('npm install && npm start') && commands.includes('npm test'),
    "the Quick start's two commands",
  );
  assert.ok(commands.includes('npm link --ignore-scripts'));
  assert.ok(commands.filter((c) => c.startsWith('xorlab ')).length >= 15);
  assert.equal(
    small('xorlab train --seed 1 --json > run.json'),
    'xorlab train --seed 1 --json --epochs 300 > run.json',
  );
});

test(
  "from a fresh copy, after the README's set-up, every command of the README runs and exits 0; a project installs xorlab from the clone's path",
  { timeout: 900_000 },
  () => {
    for (const built of [
      'dist/index.js',
      'dist/cli-bundle/main.js',
      'dist/engine/lockstep.wasm',
      'dist/web/index.html',
    ]) {
      assert.ok(existsSync(join(root, built)), `${built} is missing: run npm run build first`);
    }
    const work = mkdtempSync(join(tmpdir(), 'xorlab-clone-'));
    try {
      const clone = join(work, 'xorlab');
      const global = join(work, 'npm-global');
      const lab = join(work, 'lab');
      mkdirSync(lab);
      freshCopy(clone);
      const env = cleanEnv({
        npm_config_prefix: global,
        PATH: [join(global, 'bin'), process.env.PATH].join(delimiter),
      });

      const commands = readmeCommands(readFileSync(join(clone, 'README.md'), 'utf8'));
      const skipped: string[] = [];
      let ran = 0;
      const done = new Set<string>();
      for (const command of commands) {
        if (done.has(command) || (command === 'npm start' && done.has('npm install && npm start'))) {
          skipped.push(`${command} (again)`);
          continue;
        }
        done.add(command);
        if (command === 'npm install && npm start') {
          sh(small('npm start'), clone, env);
          assert.ok(existsSync(join(clone, 'xorlab-report', 'report.md')), 'npm start wrote no report');
        } else if (command.startsWith('npm link')) {
          sh(small(command), clone, env);
        } else if (NOT_RUN.some(([pattern]) => pattern.test(command))) {
          skipped.push(command);
          continue;
        } else {
          assert.match(command, /^xorlab /, `the README's command \`${command}\` is neither run nor named in NOT_RUN`);
          sh(small(command), lab, env);
        }
        ran++;
      }
      process.stderr.write(`# ${ran} commands run; not run: ${skipped.join(' | ')}\n`);
      assert.ok(ran >= 16, `only ${ran} of the README's commands ran`);
      for (const made of [
        'w.json',
        'run.json',
        'boundary.png',
        'weights.png',
        'loss.png',
        'curve.png',
        'landscape.png',
        'trials.csv',
        'paper.db',
        'paper-report/report.md',
      ]) {
        assert.ok(existsSync(join(lab, made)), `the README's commands made no ${made}`);
      }

      // The library from the clone's path: `npm install /path/to/xorlab --ignore-scripts` links the clone, whose own
      // node_modules carry its dependencies; the CLI comes with it.
      const app = join(work, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'xorlab-user', private: true, type: 'module' }));
      sh(`npm install ${clone} --ignore-scripts --offline --no-audit --no-fund --loglevel=error`, app, env);
      const trained = sh(
        `node --input-type=module -e "import { train } from 'xorlab'; const r = train({ hiddenStd: 0.7071, outputStd: 0.8165 }, { seed: 1 }); console.log('learned', r.metrics.success)"`,
        app,
        env,
      );
      assert.match(trained, /^learned true$/m);
      assert.match(sh('node_modules/.bin/xorlab train --seed 1 --epochs 300', app, env), /^Seed: 1 /m);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);
