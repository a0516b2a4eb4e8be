import { describe, expect, it } from 'vitest';
import { parseJobFileText } from '../../src/config/index.js';
import { runCommand } from '../../src/engine/command.js';
import { runHookStage, stagesAfter } from '../../src/engine/hooks.js';
import { OutputTail } from '../../src/engine/output-tail.js';
import { readPasswordCommand } from '../../src/engine/password-command.js';

function jobWithHooks(hooks: string): ReturnType<typeof parseJobFileText>['jobs'][number] {
  const text = `version: 1\njobs:\n  docs:\n    type: mirror\n    source: /s\n    destination: /d\n    hooks:\n${hooks}`;
  return parseJobFileText(text, '/tmp/jobs.yaml', { env: {}, home: '/tmp' }).jobs[0]!;
}

describe('runCommand (real shell)', () => {
  it('runs through the shell with the given environment and working folder', async () => {
    const r = await runCommand('echo "$GREETING from $(pwd)"; exit 3', { timeoutMs: 5000, env: { GREETING: 'hello' }, cwd: '/tmp' });
    expect(r).toMatchObject({ ok: false, exitCode: 3, timedOut: false, outputTail: 'hello from /tmp\n' });
  });

  it('interleaves stdout and stderr in the tail', async () => {
    const r = await runCommand('echo one; echo two >&2; echo three', { timeoutMs: 5000 });
    expect(r.outputTail).toBe('one\ntwo\nthree\n');
    expect(r.ok).toBe(true);
  });

  it('enforces the timeout on the whole process group, not just the shell', async () => {
    const started = Date.now();
    const r = await runCommand('sleep 30; echo never', { timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r).toMatchObject({ ok: false, timedOut: true, exitCode: null });
  });

  it('kills a command that ignores SIGTERM after the grace', async () => {
    const r = await runCommand('trap "" TERM; sleep 30', { timeoutMs: 200, killGraceMs: 200 });
    expect(r).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });

  it('does not hang on a background process that keeps the output open', async () => {
    const started = Date.now();
    const r = await runCommand('sleep 30 & echo started', { timeoutMs: 10_000, killGraceMs: 200 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r).toMatchObject({ ok: true, outputTail: 'started\n' });
  });

  it('an abort stops the command', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const r = await runCommand('sleep 30', { timeoutMs: 10_000, signal: controller.signal });
    expect(r).toMatchObject({ ok: false, aborted: true, timedOut: false });
  });

  it('keeps only the last bytes of a long output', async () => {
    const r = await runCommand('seq 1 100000', { timeoutMs: 10_000, tailBytes: 64 });
    expect(Buffer.byteLength(r.outputTail)).toBeLessThanOrEqual(64);
    expect(r.outputTail.endsWith('99999\n100000\n')).toBe(true);
  });

  it('secretStdout keeps stdout out of the tail', async () => {
    const r = await runCommand('echo hunter2; echo note >&2', { timeoutMs: 5000, secretStdout: true });
    expect(r.stdout).toBe('hunter2\n');
    expect(r.outputTail).toBe('note\n');
  });

  it('a command that is not found fails with 127 and says why', async () => {
    const r = await runCommand('no-such-command-mm', { timeoutMs: 5000 });
    expect(r.exitCode).toBe(127);
    expect(r.outputTail).toMatch(/not found/);
  });
});

describe('OutputTail', () => {
  it('never starts in the middle of a UTF-8 character', () => {
    const t = new OutputTail(5);
    t.push(Buffer.from('aaaa'));
    t.push(Buffer.from('éééé'));
    expect(t.text()).toBe('éé');
  });
});

describe('password_command', () => {
  it('returns the first line of stdout', async () => {
    expect(await readPasswordCommand('printf "s3cret\\nsecond line"')).toBe('s3cret');
  });
  it('a failure names the exit code and stderr, never stdout', async () => {
    const err = await readPasswordCommand('echo hunter2; echo "no such entry" >&2; exit 1').catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'auth', message: 'the password command exited with 1: no such entry' });
    expect(String((err as Error).message)).not.toContain('hunter2');
  });
  it('an empty first line is an error', async () => {
    await expect(readPasswordCommand('true')).rejects.toMatchObject({ code: 'auth' });
  });
});

describe('runHookStage', () => {
  const job = jobWithHooks(
    [
      '      before: ["echo before >&2", "exit 7", "echo never-runs"]',
      '      after: ["exit 1", "echo $MEGAMIRROR_JOB $MEGAMIRROR_STAGE $MEGAMIRROR_STATUS $MEGAMIRROR_REPORT $MEGAMIRROR_DRY_RUN"]',
      '      timeout: 300ms',
      '',
    ].join('\n'),
  );

  it('before stops at the first failing command and records each one', async () => {
    const r = await runHookStage('before', { job, cwd: '/tmp', dryRun: false, status: null, reportPath: null });
    expect(r.ok).toBe(false);
    expect(r.hooks.map((h) => [h.command, h.exit_code, h.output_tail])).toEqual([
      ['echo before >&2', 0, 'before\n'],
      ['exit 7', 7, ''],
    ]);
  });

  it('later stages run every command with the job environment', async () => {
    const r = await runHookStage('after', { job, cwd: '/tmp', dryRun: true, status: 'partial', reportPath: '/state/r.json' });
    expect(r.ok).toBe(false);
    expect(r.hooks).toHaveLength(2);
    expect(r.hooks[1]).toMatchObject({ stage: 'after', exit_code: 0, timed_out: false, output_tail: 'docs after partial /state/r.json 1\n' });
  });

  it('the job hook timeout applies to each command', async () => {
    const slow = jobWithHooks('      before: ["sleep 20"]\n      timeout: 300ms\n');
    const started = Date.now();
    const r = await runHookStage('before', { job: slow, cwd: '/tmp', dryRun: false, status: null, reportPath: null });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.hooks[0]).toMatchObject({ timed_out: true, exit_code: null });
  });

  it('never hands a remote password to a hook, nor keeps it in the report', async () => {
    process.env.MM_TEST_SECRET = 'hunter2 hunter2';
    try {
      const leaky = jobWithHooks('      before: ["echo \\"[$MM_TEST_SECRET]\\"; env | grep -c hunter2; echo hunter2 hunter2"]\n');
      const r = await runHookStage('before', { job: leaky, cwd: '/tmp', dryRun: false, status: null, reportPath: null, secrets: ['hunter2 hunter2'] });
      expect(r.hooks[0]!.output_tail).toBe('[]\n0\n***\n');
      expect(r.hooks[0]!.command).not.toContain('hunter2 hunter2');
    } finally {
      delete process.env.MM_TEST_SECRET;
    }
  });

  it('on_success after ok, on_error after anything else, after always last', () => {
    expect(stagesAfter('ok')).toEqual(['on_success', 'after']);
    for (const s of ['partial', 'failed', 'refused', 'interrupted', 'skipped'] as const) expect(stagesAfter(s)).toEqual(['on_error', 'after']);
  });
});
