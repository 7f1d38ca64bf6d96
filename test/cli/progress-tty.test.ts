// The progress bar in a real terminal: a sweep runs in a tmux pane 60 columns wide, Ctrl-C is typed into it, and
// the screen is read back as tmux drew it. The bar keeps its count, rate and ETA at 60 columns; after Ctrl-C the
// resume command is printed intact (the bar used to redraw over it), and the count printed is what is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteStore } from '../../src/store/index.js';
import { BIN, tempDir } from '../helpers/cli.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

test(
  'Ctrl-C in a 60-column terminal: the bar shows count, rate and ETA; the resume command is printed intact',
  { skip: hasTmux ? false : 'tmux is not installed' },
  async () => {
    const dir = tempDir();
    const db = join(dir, 'tty.db');
    const socket = `xorlab-test-${process.pid}-${Date.now()}`;
    const tmux = (...args: string[]) =>
      spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    // About a minute of work with the reference engine, so that Ctrl-C lands in the middle.
    const args = [
      'sweep',
      '--name',
      'tty',
      '--sweep',
      'hiddenStd=exp:-3:4:50',
      '--repeats',
      '400',
      '--epochs',
      '2000',
      '--engine',
      'reference',
      '--chunk-size',
      '20',
      '--db',
      db,
    ];
    const command = `${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}; echo "EXIT=$?"; sleep 600`;
    const started = tmux('new-session', '-d', '-x', '60', '-y', '40', '-s', 'run', 'bash', '-c', command);
    assert.equal(started.status, 0, started.stderr);
    const screen = (): string => tmux('capture-pane', '-p', '-J', '-t', 'run', '-S', '-').stdout;
    try {
      // Wait for the bar to show some stored trials.
      let bar = '';
      for (let i = 0; i < 600 && !/[1-9][\d,]*\/20,000/.test(bar); i++) {
        await sleep(100);
        bar =
          screen()
            .split('\n')
            .find((l) => l.startsWith('sweep tty')) ?? '';
      }
      assert.match(bar, /[1-9][\d,]*\/20,000/, `no progress on the screen:\n${screen()}`);
      // At 60 columns the count, the rate and the ETA are all there, within the width (the bar is shortened).
      assert.ok(bar.trimEnd().length <= 60, `the bar is ${bar.trimEnd().length} columns: "${bar}"`);
      assert.match(bar, /^sweep tty [█░]+ [\d,]+\/20,000 \| [\d,]+\/s \| ETA \S+/);

      tmux('send-keys', '-t', 'run', 'C-c');
      let text = '';
      for (let i = 0; i < 300 && !text.includes('EXIT='); i++) {
        await sleep(100);
        text = screen();
      }
      const lines = text.split('\n').map((l) => l.trimEnd());
      assert.ok(lines.includes('EXIT=130'), `exit status:\n${text}`);
      const at = lines.indexOf('xorlab: interrupted; keeping the trials that finished...');
      assert.ok(at > 0, `no interrupted line:\n${text}`);
      // The bar's last state is on the line above, whole.
      assert.match(lines[at - 1], /^sweep tty [█░]+ [\d,]+\/20,000 \| [\d,]+\/s \| ETA \S+/);
      const stopped = /^xorlab: stopped after ([\d,]+) of 20,000 trials; they are stored\. Resume with:$/.exec(
        lines[at + 1],
      );
      assert.ok(stopped, `no stop line after the interrupted line:\n${text}`);
      // The resume command, intact: the command line as typed.
      assert.equal(lines[at + 2], `  xorlab ${args.join(' ')}`);
      assert.equal(lines[at + 3], 'EXIT=130');
      // The count printed is the count stored.
      const store = openSqliteStore(db, { readonly: true });
      try {
        assert.equal((await store.getStudy('tty'))?.trialCount, Number(stopped[1].replace(/,/g, '')));
      } finally {
        await store.close();
      }
    } finally {
      tmux('kill-server');
    }
  },
);
