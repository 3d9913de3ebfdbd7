import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  REQUIRED_RUNBOOK_HEADINGS,
  RunbookChecker,
  githubAnchor,
  parseRunbook,
  runbookLinkOf,
  runbookUrl,
} from '../../../constructs/observability/runbooks';
import { tempDir } from '../../helpers/temp-dir';

const REPOSITORY_RUNBOOKS = path.join(__dirname, '..', '..', '..', 'runbooks');

function section(anchor: string, headings: readonly string[] = REQUIRED_RUNBOOK_HEADINGS): string {
  return [`## ${anchor}`, '', ...headings.flatMap((h) => [`### ${h}`, '', `${h} of ${anchor}.`, ''])].join('\n');
}

describe('githubAnchor', () => {
  test('lower-cases the heading, drops punctuation and turns spaces into dashes', () => {
    expect(githubAnchor('Order failure rate!')).toBe('order-failure-rate');
  });

  test('keeps dashes and underscores', () => {
    expect(githubAnchor('api-5xx_rate')).toBe('api-5xx_rate');
    expect(githubAnchor('  Table: read-throttles (v2)  ')).toBe('table-read-throttles-v2');
  });
});

describe('parseRunbook', () => {
  test('finds the ## sections and their ### subheadings, by anchor', () => {
    const sections = parseRunbook(
      ['# Title', '', 'Intro.', '', section('orders-stopped'), section('Order failure rate', ['Meaning'])].join('\n'),
    );
    expect([...sections.keys()]).toEqual(['orders-stopped', 'order-failure-rate']);
    expect(sections.get('orders-stopped')).toEqual({
      heading: 'orders-stopped',
      anchor: 'orders-stopped',
      subheadings: [...REQUIRED_RUNBOOK_HEADINGS],
    });
    expect(sections.get('order-failure-rate')?.subheadings).toEqual(['Meaning']);
  });

  test('ignores headings inside fenced code blocks', () => {
    const sections = parseRunbook(
      ['## health', '', '### Meaning', '', '```sh', '## not-a-section', '### Impact', '```', '', '### Diagnosis'].join(
        '\n',
      ),
    );
    expect([...sections.keys()]).toEqual(['health']);
    expect(sections.get('health')?.subheadings).toEqual(['Meaning', 'Diagnosis']);
  });

  test('ignores ### headings before the first ## section', () => {
    expect(parseRunbook('### Meaning\n\n## health\n\n### Impact\n').get('health')?.subheadings).toEqual(['Impact']);
  });
});

describe('RunbookChecker', () => {
  const directory = tempDir('keel-runbooks-');
  fs.writeFileSync(
    path.join(directory, 'shop.md'),
    ['# shop', '', section('health'), section('orders-stopped', ['Meaning', 'Impact', 'Diagnosis', 'Mitigation'])].join(
      '\n',
    ),
  );
  const checker = new RunbookChecker(directory);

  test('finds nothing wrong with a section that has every required heading', () => {
    expect(checker.problem('shop.md', 'health')).toBeUndefined();
  });

  test('fails when the runbook file does not exist', () => {
    expect(checker.problem('missing.md', 'health')).toBe(
      "runbooks/missing.md does not exist; create it with a '## health' section",
    );
  });

  test('fails when the file has no section for the anchor', () => {
    const problem = checker.problem('shop.md', 'order-value-low');
    expect(problem).toContain("runbooks/shop.md has no section '#order-value-low'");
    expect(problem).toContain("add '## order-value-low'");
  });

  test('fails when the section lacks a required heading, naming it', () => {
    expect(checker.problem('shop.md', 'orders-stopped')).toBe(
      "runbooks/shop.md#orders-stopped lacks the heading(s) '### Escalation'",
    );
  });
});

describe('runbookLinkOf', () => {
  test('reads the file and anchor from the Runbook line that ends a description', () => {
    expect(runbookLinkOf('Orders fail.\n\nRunbook: https://x/y/blob/main/runbooks/orders.md#health')).toEqual({
      file: 'orders.md',
      anchor: 'health',
    });
  });

  test('reads back what runbookUrl writes', () => {
    const url = runbookUrl({ repositoryUrl: 'https://github.com/example-org/keel', directory: '.' }, 'shop.md', 'x-y');
    expect(runbookLinkOf(`Meaning.\n\nRunbook: ${url}`)).toEqual({ file: 'shop.md', anchor: 'x-y' });
  });

  test('returns undefined for a description without a runbook link', () => {
    expect(runbookLinkOf('Orders fail.')).toBeUndefined();
    expect(runbookLinkOf(undefined)).toBeUndefined();
  });
});

describe.each(['orders.md', 'standard-alarms.md'])("the repository's runbooks/%s", (file) => {
  const sections = [...parseRunbook(fs.readFileSync(path.join(REPOSITORY_RUNBOOKS, file), 'utf8')).values()];

  test('has sections', () => {
    expect(sections.length).toBeGreaterThan(0);
  });

  test('has every required heading in every section', () => {
    const incomplete = sections
      .map((s) => ({
        anchor: s.anchor,
        missing: REQUIRED_RUNBOOK_HEADINGS.filter((h) => !s.subheadings.includes(h)),
      }))
      .filter((s) => s.missing.length > 0);
    expect(incomplete).toEqual([]);
  });

  test('passes the checker for every section', () => {
    const checker = new RunbookChecker(REPOSITORY_RUNBOOKS);
    expect(sections.map((s) => checker.problem(file, s.anchor)).filter(Boolean)).toEqual([]);
  });
});
