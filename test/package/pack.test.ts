// The package as a user gets it: `npm pack` (what `npm publish` would upload), installed from the tarball into a
// fresh project by npm (examples/project/'s package.json and tsconfig.json, as the README says), first alone: it
// trains, and the extras it did not install (charts, databases) are not there and say what to install; then with the
// charts extra, the README's examples compiled there with `tsc --strict` against the shipped declarations only, and
// run. The tarball carries dist/ complete (JavaScript, declarations, the WebAssembly kernel), so
// installing it builds nothing; it carries no sources, tests or scripts.
//
// Speed: dependencies come from npm's cache when it has them (--prefer-offline), and install scripts are skipped:
// the one native dependency, better-sqlite3, gets the binary this checkout built for the same version (else npm
// rebuilds it, which takes minutes). TypeScript and @types/node are this checkout's. Needs the build (npm test
// builds first).
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { installCommand } from '../../src/text/packages.js';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLES = ['quickstart.ts', 'browser.ts'];

/**
 * The environment without what an enclosing `npm test` sets for its scripts: npm_config_local_prefix would make the
 * inner npm work on this checkout instead of the fresh project. Where npm finds packages (registry, cache,
 * certificates, proxies) is kept.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const kept =
    /^npm_config_(registry|cache|cafile|userconfig|globalconfig|nodedir|strict_ssl|proxy|https_proxy|noproxy)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || kept.test(key)));
}

function run(command: string, args: string[], options: SpawnSyncOptions & { cwd: string }): string {
  const started = performance.now();
  const result = spawnSync(command, args, { encoding: 'utf8', env: cleanEnv(), timeout: 300_000, ...options });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const shown = [command, ...args].join(' ');
  assert.equal(
    result.status,
    0,
    `${shown} failed (${seconds} s, status ${result.status}):\n${String(result.stdout)}\n${String(result.stderr)}`,
  );
  process.stderr.write(`# ${seconds} s: ${shown}\n`);
  return String(result.stdout);
}

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

test('the library examples shown are examples/*.ts, word for word', () => {
  for (const [name, page] of [
    ['quickstart.ts', 'README.md'],
    ['browser.ts', 'docs/library.md'],
  ]) {
    const text = readFileSync(join(root, page), 'utf8');
    const code = readFileSync(join(root, 'examples', name), 'utf8');
    assert.ok(text.includes(`\`\`\`ts\n${code}\`\`\``), `${page} does not show examples/${name} as it is`);
  }
});

test(
  'npm pack ships dist/ complete and nothing else; installed from the tarball, the examples compile with tsc --strict and run',
  { timeout: 600_000 },
  () => {
    for (const built of ['dist/index.js', 'dist/index.d.ts', 'dist/core-entry.js', 'dist/engine/lockstep.wasm']) {
      assert.ok(existsSync(join(root, built)), `${built} is missing: run npm run build first`);
    }
    const work = mkdtempSync(join(tmpdir(), 'xorlab-pack-'));
    try {
      // 1. The tarball: prepare (the build) is not run again; dist/ is what `npm test` just built.
      const [pack] = JSON.parse(
        run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root }),
      ) as PackResult[];
      const paths = pack.files.map((f) => f.path);
      // docs/ too: the README's links to the reference resolve in the installed package.
      for (const needed of [
        'package.json',
        'README.md',
        'LICENSE',
        'docs/cli.md',
        'docs/library.md',
        'bin/xorlab.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/core-entry.js',
        'dist/core-entry.d.ts',
        'dist/engine/lockstep.wasm',
        'dist/cli-bundle/main.js',
        'dist/cli-bundle/worker.js',
        'dist/study/run/worker.js',
        'dist/web/index.html',
        'dist/web/playground.html',
        'dist/web/lockstep.wasm',
      ]) {
        assert.ok(paths.includes(needed), `the tarball lacks ${needed}`);
      }
      // dist/web/ is what `xorlab serve` sends to a browser: its pages, their bundles (vega-embed inside) and the kernel.
      const unexpected = paths.filter(
        (p) =>
          !/^(package\.json|README\.md|LICENSE|bin\/xorlab\.js|docs\/[^/]+\.md|dist\/.+\.(js|d\.ts|wasm)|dist\/web\/[^/]+\.(html|css|svg))$/.test(
            p,
          ) || p.startsWith('dist/bench/'),
      );
      assert.deepEqual(unexpected, [], 'the tarball carries files a user does not need');
      // About 1.8 MB of Node code and declarations and 2.6 MB of pages (vega is most of it).
      assert.ok(pack.unpackedSize < 5_000_000, `unpacked size ${pack.unpackedSize} bytes`);

      // 2. A fresh project that depends on the tarball.
      const app = join(work, 'app');
      mkdirSync(app);
      // examples/project/'s package.json (an ES module; its devDependencies, TypeScript and @types/node, are this
      // checkout's here), plus the tarball.
      const project = JSON.parse(readFileSync(join(root, 'examples', 'project', 'package.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      assert.equal(project.type, 'module');
      writeFileSync(
        join(app, 'package.json'),
        JSON.stringify({ ...project, dependencies: { xorlab: `file:../${pack.filename}` } }, null, 2),
      );
      const npmInstall = (...specs: string[]) =>
        run(
          'npm',
          [
            'install',
            ...specs,
            '--omit=dev',
            '--prefer-offline',
            '--ignore-scripts',
            '--no-audit',
            '--no-fund',
            '--loglevel=error',
          ],
          { cwd: app },
        );
      npmInstall();
      const installed = join(app, 'node_modules', 'xorlab');
      assert.ok(
        !existsSync(join(installed, 'src')) &&
          !existsSync(join(installed, 'scripts')) &&
          !existsSync(join(installed, 'test')),
      );
      const binary = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
      const version = (dir: string) =>
        (
          JSON.parse(readFileSync(join(dir, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as {
            version: string;
          }
        ).version;
      if (version(app) === version(root) && existsSync(join(root, binary))) {
        mkdirSync(dirname(join(app, binary)), { recursive: true });
        copyFileSync(join(root, binary), join(app, binary));
      } else {
        run('npm', ['rebuild', 'better-sqlite3'], { cwd: app });
      }

      // 3. Alone, xorlab trains and runs studies into SQLite; the extras are not installed, and using one says what
      // to install in one line (exit 2, no stack trace).
      for (const extra of ['vega', 'vega-lite', '@resvg/resvg-js', 'dejavu-fonts-ttf', 'pg', 'pg-boss', 'mongodb']) {
        assert.ok(!existsSync(join(app, 'node_modules', extra)), `${extra} was installed with xorlab alone`);
      }
      const xorlab = join('node_modules', '.bin', 'xorlab');
      assert.match(
        run(process.execPath, [xorlab, '--help'], { cwd: app }),
        /worker \[options\]/,
        'the help loads every command, worker and plot included',
      );
      assert.match(
        run(
          process.execPath,
          [
            xorlab,
            'sweep',
            '--name',
            's',
            '--sweep',
            'hiddenStd=0.5,1',
            '--repeats',
            '4',
            '--epochs',
            '200',
            '--db',
            'alone.db',
          ],
          { cwd: app },
        ),
        /4 trials stored|8 trials stored/,
      );
      for (const [args, extra] of [
        [['plot', 'weights', '--seed', '1', '--epochs', '200', '--out', 'w.svg'], 'charts'],
        [['studies', '--db', 'postgres://lab@127.0.0.1:1/none'], 'postgres'],
        [['studies', '--db', 'mongodb://127.0.0.1:1/none'], 'mongodb'],
      ] as const) {
        const missing = spawnSync(process.execPath, [xorlab, ...args], { cwd: app, encoding: 'utf8', env: cleanEnv() });
        assert.equal(missing.status, 2, `xorlab ${args.join(' ')}: ${missing.stderr}`);
        assert.equal(missing.stderr, `xorlab: ${missing.stderr.slice('xorlab: '.length).split('\n')[0]}\n`, 'one line');
        assert.ok(missing.stderr.includes(installCommand(extra)), missing.stderr);
      }
      const chart = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import { curveSpec, renderChart } from 'xorlab'; await renderChart(curveSpec({ parameter: 'lr', points: [{ x: 1, mean: 2, stderr: 0.1 }] }), 'svg').catch((e) => console.log(e.name, e.message))",
        ],
        { cwd: app, encoding: 'utf8' },
      );
      assert.match(
        chart.stdout,
        /^MissingPackageError charts .* need the npm package (vega|vega-lite|@resvg\/resvg-js|dejavu-fonts-ttf), which is not installed; install it with: npm install /m,
        chart.stderr,
      );
      npmInstall(
        ...installCommand('charts')
          .split(' ')
          .slice(2)
          .map((spec) => spec.replace(/'/g, '')),
      );

      // 4. The examples, compiled against the shipped declarations (skipLibCheck off: they are checked too).
      for (const name of EXAMPLES) cpSync(join(root, 'examples', name), join(app, name));
      // examples/project/tsconfig.json, with the shipped declarations checked too (skipLibCheck off) and Node's types
      // from this checkout.
      cpSync(join(root, 'examples', 'project', 'tsconfig.json'), join(app, 'tsconfig.project.json'));
      const strict = {
        strict: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        skipLibCheck: false,
        skipDefaultLibCheck: true,
      };
      writeFileSync(
        join(app, 'tsconfig.json'),
        JSON.stringify({
          extends: './tsconfig.project.json',
          compilerOptions: {
            strict: true,
            skipLibCheck: false,
            skipDefaultLibCheck: true,
            typeRoots: [join(root, 'node_modules', '@types')],
          },
          files: EXAMPLES,
        }),
      );
      // The browser example again on its own, with a browser's globals and no Node types: xorlab/core needs none.
      writeFileSync(
        join(app, 'tsconfig.browser.json'),
        JSON.stringify({
          compilerOptions: { ...strict, noEmit: true, types: [], lib: ['es2022', 'dom'] },
          files: ['browser.ts'],
        }),
      );
      // Both programs in one tsc process (-b: ~1.5 CPU-s less than two, the standard library read once); strict is
      // in both configs (-b takes no --strict), and an error in either fails the build.
      const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      run(process.execPath, [tsc, '-b', 'tsconfig.json', 'tsconfig.browser.json'], { cwd: app });

      // 5. They run.
      const first = run(process.execPath, [join('out', 'quickstart.js')], { cwd: app });
      assert.match(first, /^learned XOR: true, total loss \d+\.\d$/m);
      assert.match(first, /^outputs: 0\.0\d\d 0\.9\d\d 0\.9\d\d 0\.0\d\d$/m);
      assert.match(first, /^256 trainings in \d+\.\d s$/m);
      assert.match(first, /^study std: 256 trials stored now, 0 before$/m);
      assert.match(first, /^lowest mean total loss: \d+\.\d at hiddenStd \d/m);
      assert.match(first, /^std 0\.7071 instead of 1 changes the total loss by -?\d+\.\d% \[/m);
      assert.match(readFileSync(join(app, 'quickstart-curve.svg'), 'utf8'), /^<svg[^>]*>/);
      assert.match(
        run(process.execPath, [join('out', 'quickstart.js')], { cwd: app }),
        /^study std: 0 trials stored now, 256 before$/m,
      );
      assert.match(
        run(process.execPath, [join('out', 'browser.js')], { cwd: app }),
        /^or\.csv: learned true, final loss 0\.\d{4}$/m,
      );

      // 6. The CLI comes with it; the package's insides stay private.
      const cli = JSON.parse(
        run(
          process.execPath,
          [join('node_modules', '.bin', 'xorlab'), 'train', '--seed', '1', '--epochs', '300', '--json'],
          { cwd: app },
        ),
      ) as { seed: number };
      assert.equal(cli.seed, 1);
      const deep = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', "await import('xorlab/dist/core/train.js')"],
        { cwd: app, encoding: 'utf8' },
      );
      assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);
