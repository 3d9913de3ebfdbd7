import type { SecurityAcknowledgment } from '../../../../lib/ops/security/acknowledgments';
import { auditFindings } from '../../../../lib/ops/security/audit';
import { judge, renderGate } from '../../../../lib/ops/security/gate-result';
import { cliFailure } from '../../../helpers/refusal';

/**
 * An `npm audit --omit=dev --json` report in npm 11's shape (report version 2). Crafted: this machine's registry
 * answers the audit endpoint with 405 (below), so no real report could be recorded here. Its maplibre-gl entry is a
 * real report's, as npm 11 printed it; the others follow the same shape: an advisory object in `via`, and packages
 * that reach a vulnerable one listing its name.
 */
const REPORT = {
  auditReportVersion: 2,
  vulnerabilities: {
    'maplibre-gl': {
      name: 'maplibre-gl',
      severity: 'critical',
      isDirect: true,
      via: [
        {
          source: 1193680,
          name: 'maplibre-gl',
          dependency: 'maplibre-gl',
          title: 'MapLibre GL JS: XSS Sanitizer Bypass in DOM.sanitize() via Live NamedNodeMap Removal Skip',
          url: 'https://github.com/advisories/GHSA-jrc7-96c5-q579',
          severity: 'critical',
          cwe: ['CWE-79'],
          cvss: { score: 10, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:N' },
          range: '<=6.4.0',
        },
      ],
      effects: [],
      range: '<=6.4.0',
      nodes: ['node_modules/maplibre-gl'],
      fixAvailable: { name: 'maplibre-gl', version: '6.10.0', isSemVerMajor: true },
    },
    'http-client': {
      name: 'http-client',
      severity: 'high',
      isDirect: true,
      via: ['url-parse'],
      effects: [],
      range: '2.0.0 - 2.3.1',
      nodes: ['node_modules/http-client'],
      fixAvailable: true,
    },
    'url-parse': {
      name: 'url-parse',
      severity: 'high',
      isDirect: false,
      via: [
        {
          source: 1093639,
          name: 'url-parse',
          dependency: 'url-parse',
          title: 'Authorization bypass through user-controlled key in url-parse',
          url: 'https://github.com/advisories/GHSA-hgjh-723h-mx2j',
          severity: 'high',
          cwe: ['CWE-639'],
          cvss: { score: 7.5, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' },
          range: '<1.5.8',
        },
      ],
      effects: ['http-client'],
      range: '<1.5.8',
      nodes: ['node_modules/url-parse'],
      fixAvailable: true,
    },
    'left-pad': {
      name: 'left-pad',
      severity: 'moderate',
      isDirect: false,
      via: [
        {
          source: 1099999,
          name: 'left-pad',
          dependency: 'left-pad',
          title: 'Inefficient padding',
          url: 'https://github.com/advisories/GHSA-2m3v-4x5w-6p7q',
          severity: 'moderate',
          range: '<1.3.1',
        },
      ],
      effects: [],
      range: '<1.3.1',
      nodes: ['node_modules/left-pad'],
      fixAvailable: false,
    },
  },
  metadata: {
    vulnerabilities: { info: 0, low: 0, moderate: 1, high: 2, critical: 1, total: 4 },
    dependencies: { prod: 30, dev: 0, optional: 0, peer: 0, peerOptional: 0, total: 29 },
  },
};

/** What npm 11.19.1 printed on stdout for `npm audit --omit=dev --json` here, recorded on 2026-12-01. */
const REGISTRY_REFUSED = JSON.stringify({
  message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  method: 'POST',
  uri: 'https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  headers: { allow: ['GET,HEAD'], 'content-length': ['0'], 'x-fetch-attempts': ['1'] },
  statusCode: 405,
  body: '',
  error: { summary: '', detail: '' },
});

const NOW = new Date('2026-12-01T10:00:00Z');
const about = { tool: 'npm audit 11.19.1', checked: '30 production dependencies' };

test('fails on each advisory of level high or above once, by its GHSA id, with the packages it reaches and the fix', () => {
  const audit = auditFindings(JSON.stringify(REPORT));
  const result = judge('audit', audit.findings, [], NOW, { ...about, notes: audit.notes });
  const lines = renderGate(result);

  expect(result.passed).toBe(false);
  expect(audit.findings.map((f) => f.id)).toEqual(['GHSA-jrc7-96c5-q579', 'GHSA-hgjh-723h-mx2j']);
  expect(lines).toContain(
    '✗ audit: high advisory in url-parse <1.5.8: Authorization bypass through user-controlled key in url-parse ' +
      '(reaches http-client, url-parse; https://github.com/advisories/GHSA-hgjh-723h-mx2j) [GHSA-hgjh-723h-mx2j]',
  );
  expect(lines).toContain(
    '    fix: upgrade maplibre-gl to 6.10.0 (a major version: read its changelog), then npm test, and commit ' +
      'package.json and package-lock.json',
  );
  expect(lines.find((line) => line.startsWith('i audit: moderate advisory in left-pad'))).toContain(
    "below the gate's level (high); no fixed version is released",
  );
  expect(lines.at(-1)).toBe(
    'security audit: FAILED: npm audit 11.19.1 over 30 production dependencies: 2 open finding(s), 0 acknowledged',
  );
});

test('passes when each advisory at the level is acknowledged, by GHSA id or by its URL', () => {
  const ack = (id: string): SecurityAcknowledgment => ({
    gate: 'audit',
    id,
    reason: 'the vulnerable function is not called',
    owner: 'platform',
    expires: '2027-01-31',
  });
  const audit = auditFindings(JSON.stringify(REPORT));

  const result = judge(
    'audit',
    audit.findings,
    [ack('GHSA-jrc7-96c5-q579'), ack('https://github.com/advisories/GHSA-hgjh-723h-mx2j')],
    NOW,
    about,
  );

  expect(result.passed).toBe(true);
  expect(result.acknowledgments.map((a) => [a.id, a.status, a.covered])).toEqual([
    ['GHSA-jrc7-96c5-q579', 'current', 1],
    ['https://github.com/advisories/GHSA-hgjh-723h-mx2j', 'current', 1],
  ]);
});

test('fails closed when npm audit could not get a report, quoting the registry', async () => {
  const error = await cliFailure(Promise.resolve().then(() => auditFindings(REGISTRY_REFUSED)));

  expect(error.exitCode).toBe(1);
  expect(error.message).toBe(
    'npm audit gave no report (405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/' +
      "bulk); the gate fails closed. Fix: make the registry's advisory endpoint (POST /-/npm/v1/security/advisories/" +
      'bulk) reachable, then rerun',
  );
});
