import * as os from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

// Counters shared with the workers: the next job to take, jobs answered, workers finished, and events (an answer or
// a worker finishing), the one counter the waiting thread waits on, so that no event can slip between its checks.
const NEXT = 0;
const ANSWERED = 1;
const FINISHED = 2;
const EVENTS = 3;

/**
 * What each worker thread runs. It builds its work function from `setup` once, then takes jobs by index until none
 * are left, posting each answer (or the job's error) on its own port. Whatever happens, it counts itself finished
 * and wakes the waiting thread, so that thread never waits for a worker that has stopped.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { jobs, port, setup } = workerData;
const counters = new Int32Array(workerData.counters);
try {
  const work = new Function('require', setup)(require);
  for (let index = Atomics.add(counters, ${NEXT}, 1); index < jobs.length; index = Atomics.add(counters, ${NEXT}, 1)) {
    try {
      port.postMessage({ index, result: work(jobs[index]) });
    } catch (error) {
      port.postMessage({ index, error: String((error && error.message) || error) });
    }
    Atomics.add(counters, ${ANSWERED}, 1);
    Atomics.add(counters, ${EVENTS}, 1);
    Atomics.notify(counters, ${EVENTS});
  }
} catch (error) {
  port.postMessage({ setupError: String((error && error.message) || error) });
} finally {
  Atomics.add(counters, ${FINISHED}, 1);
  Atomics.add(counters, ${EVENTS}, 1);
  Atomics.notify(counters, ${EVENTS});
}
`;

type Answer<R> = { index: number; result: R } | { index: number; error: string } | { setupError: string };

/** What `runInParallel` runs. */
export interface ParallelWork<J> {
  /**
   * The body of a CommonJS function, given `require`, that returns the work function `(job) => result`. Jobs and
   * results must survive structured cloning.
   */
  readonly setup: string;
  /** Names a job in an error, e.g. by its template path. */
  readonly describe: (job: J) => string;
  /** How long the jobs may go without one of them answering before the run is given up; 5 minutes by default. */
  readonly noProgressLimitMs?: number;
}

/**
 * Runs `jobs` on up to one worker thread per core and returns their results in job order, synchronously: aws-cdk-lib
 * calls validation plugins synchronously, so the calling thread blocks (Atomics.wait) until every worker has finished.
 * Meant for work that waits on other processes, such as cfn-guard, which a single thread would run one at a time.
 * @throws naming every job that failed, with its error, or when no job has answered within the limit.
 */
export function runInParallel<J, R>(jobs: readonly J[], work: ParallelWork<J>): R[] {
  const { setup, describe, noProgressLimitMs = 5 * 60 * 1000 } = work;
  if (jobs.length === 0) return [];
  const counters = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  const ports: MessagePort[] = [];
  const workers = Array.from({ length: Math.min(os.availableParallelism(), jobs.length) }, () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    const workerData = { jobs, port: port2, setup, counters: counters.buffer };
    return new Worker(WORKER_SOURCE, { eval: true, workerData, transferList: [port2], execArgv: [] });
  });
  try {
    let events = Atomics.load(counters, EVENTS);
    while (Atomics.load(counters, FINISHED) < workers.length) {
      if (Atomics.wait(counters, EVENTS, events, noProgressLimitMs) === 'timed-out') {
        const waiting = jobs.length - Atomics.load(counters, ANSWERED);
        const { unanswered } = drain<R>(ports, jobs.map(describe));
        throw new Error(
          `no answer for ${noProgressLimitMs / 1000} s from ${waiting} of ${jobs.length} jobs (${unanswered.join(', ')}); ` +
            'run the synth again, and if it stops at the same jobs, check that they finish on their own',
        );
      }
      events = Atomics.load(counters, EVENTS);
    }
    return collect<R>(ports, jobs.map(describe));
  } finally {
    for (const worker of workers) void worker.terminate();
  }
}

/** Every answer the workers posted so far: results and failures by job, and the jobs that have not answered. */
function drain<R>(ports: readonly MessagePort[], jobNames: readonly string[]) {
  const results = new Map<number, R>();
  const failed = new Map<number, string>();
  const failures: string[] = [];
  for (const port of ports) {
    for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) {
      const answer = message.message as Answer<R>;
      if ('setupError' in answer) failures.push(`a worker could not start: ${answer.setupError}`);
      else if ('error' in answer) failed.set(answer.index, `${jobNames[answer.index]}: ${answer.error}`);
      else results.set(answer.index, answer.result);
    }
    port.close();
  }
  // In job order, whichever worker took the job.
  failures.push(...[...failed].sort(([a], [b]) => a - b).map(([, failure]) => failure));
  const unanswered = jobNames.filter((_, index) => !results.has(index) && !failed.has(index));
  return { results, failures, unanswered };
}

/** Every answer the workers posted, in job order; throws when a job failed or went unanswered. */
function collect<R>(ports: readonly MessagePort[], jobNames: readonly string[]): R[] {
  const { results, failures, unanswered } = drain<R>(ports, jobNames);
  failures.push(...unanswered.map((name) => `${name}: no answer`));
  if (failures.length > 0) throw new Error(failures.join('\n'));
  return jobNames.map((_, index) => results.get(index) as R);
}
