import * as os from 'node:os';
import { runInParallel } from '../../../constructs/governance/parallel';

const name = (job: number) => `job ${job}`;

describe('runInParallel', () => {
  test('returns every result in job order, whichever worker answered first', () => {
    // Later jobs finish first: each waits (100 - 10 × job) ms before answering.
    const setup = `return (job) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100 - 10 * job);
      return { job, square: job * job };
    };`;
    const jobs = [0, 1, 2, 3, 4, 5, 6];
    expect(runInParallel(jobs, { setup, describe: name })).toEqual(jobs.map((job) => ({ job, square: job * job })));
  });

  // Each job counts itself in, then waits (5 s at most) for the other: run one after the other, neither would see it.
  (os.availableParallelism() > 1 ? test : test.skip)('runs jobs side by side, one worker per core', () => {
    const arrived = new Int32Array(new SharedArrayBuffer(4));
    const setup = `return ({ arrived }) => {
      const counter = new Int32Array(arrived);
      Atomics.add(counter, 0, 1);
      Atomics.notify(counter, 0);
      for (let seen = Atomics.load(counter, 0); seen < 2; seen = Atomics.load(counter, 0)) {
        if (Atomics.wait(counter, 0, seen, 5000) === 'timed-out') return 'alone';
      }
      return 'together';
    };`;
    const job = { arrived: arrived.buffer };
    expect(runInParallel([job, job], { setup, describe: () => 'job' })).toEqual(['together', 'together']);
  });

  test('names every job that failed, with its error, after the others have finished', () => {
    const setup = `return (job) => { if (job % 2) throw new Error('odd ' + job); return job; };`;
    expect(() => runInParallel([1, 2, 3], { setup, describe: name })).toThrow(
      new Error(['job 1: odd 1', 'job 3: odd 3'].join('\n')),
    );
  });

  test('a setup that fails is reported, not waited for', () => {
    const setup = `require('no-such-module-keel'); return (job) => job;`;
    expect(() => runInParallel([1, 2], { setup, describe: name })).toThrow(
      /a worker could not start: Cannot find module 'no-such-module-keel'/,
    );
  });

  test('a job that never answers ends the run at the limit, saying how many jobs are missing', () => {
    const setup = `return (job) => { if (job === 2) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); return job; };`;
    const started = Date.now();
    expect(() => runInParallel([1, 2], { setup, describe: name, noProgressLimitMs: 500 })).toThrow(
      'no answer for 0.5 s from 1 of 2 jobs',
    );
    expect(() => runInParallel([1, 2], { setup, describe: name, noProgressLimitMs: 500 })).toThrow(
      /from 1 of 2 jobs \(job 2\); run the synth again/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('no jobs, no workers', () => {
    expect(runInParallel([], { setup: 'throw new Error("never")', describe: name })).toEqual([]);
  });
});
