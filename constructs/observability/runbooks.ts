import * as fs from 'node:fs';
import * as path from 'node:path';

/** The headings every runbook section has, in this order (runbooks/README.md). */
export const REQUIRED_RUNBOOK_HEADINGS = ['Meaning', 'Impact', 'Diagnosis', 'Mitigation', 'Escalation'] as const;

/** Where runbooks live and how alarms link to them. */
export interface RunbookLocation {
  /** The repository's web address; links are `<repositoryUrl>/blob/main/runbooks/<file>#<anchor>`. */
  readonly repositoryUrl: string;
  /** The `runbooks/` directory on disk, checked at synth. */
  readonly directory: string;
}

/** One `## ` section of a runbook file. */
export interface RunbookSection {
  readonly heading: string;
  readonly anchor: string;
  /** The `### ` headings inside the section. */
  readonly subheadings: readonly string[];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The `## ` sections of a runbook, by anchor. */
export function parseRunbook(markdown: string): Map<string, RunbookSection> {
  const sections = new Map<string, RunbookSection>();
  let current: { heading: string; subheadings: string[] } | undefined;
  let inFence = false;
  const close = () => {
    if (current) sections.set(githubAnchor(current.heading), { ...current, anchor: githubAnchor(current.heading) });
  };
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const h2 = /^##\s+(.+?)\s*#*\s*$/.exec(line);
    const h3 = /^###\s+(.+?)\s*#*\s*$/.exec(line);
    if (h2 && !line.startsWith('###')) {
      close();
      current = { heading: h2[1], subheadings: [] };
    } else if (h3 && current) {
      current.subheadings.push(h3[1]);
    }
  }
  close();
  return sections;
}

/** The web link of a runbook section. */
export function runbookUrl(location: RunbookLocation, file: string, anchor: string): string {
  return `${location.repositoryUrl}/blob/main/runbooks/${file}#${anchor}`;
}

/**
 * Checks runbook links against the files on disk, reading each file once.
 */
export class RunbookChecker {
  private readonly files = new Map<string, Map<string, RunbookSection> | undefined>();

  constructor(private readonly directory: string) {}

  /** What is wrong with a link to `file#anchor`, or `undefined` when the section exists with every heading. */
  public problem(file: string, anchor: string): string | undefined {
    let sections = this.files.get(file);
    if (!this.files.has(file)) {
      const fullPath = path.join(this.directory, file);
      sections = fs.existsSync(fullPath) ? parseRunbook(fs.readFileSync(fullPath, 'utf8')) : undefined;
      this.files.set(file, sections);
    }
    const where = `runbooks/${file}`;
    if (!sections) return `${where} does not exist; create it with a '## ${anchor}' section`;
    const section = sections.get(anchor);
    if (!section)
      return `${where} has no section '#${anchor}'; add '## ${anchor}' with ${REQUIRED_RUNBOOK_HEADINGS.join(', ')}`;
    const missing = REQUIRED_RUNBOOK_HEADINGS.filter((heading) => !section.subheadings.includes(heading));
    if (missing.length > 0) {
      return `${where}#${anchor} lacks the heading(s) ${missing.map((h) => `'### ${h}'`).join(', ')}`;
    }
    return undefined;
  }
}

const RUNBOOK_LINK = /Runbook: (\S+)\/blob\/main\/runbooks\/([^#\s]+)#(\S+)\s*$/;

/** The runbook file and anchor an alarm description links to, or `undefined` when it has no link. */
export function runbookLinkOf(description: string | undefined): { file: string; anchor: string } | undefined {
  const match = RUNBOOK_LINK.exec(description ?? '');
  return match ? { file: match[2], anchor: match[3] } : undefined;
}
