import { pipelineSourceProblems, type PipelineSource } from '../../../constructs/delivery/pipeline-source';

const UUID = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const CONNECTION = `arn:aws:codeconnections:eu-west-1:444444444444:connection/${UUID}`;
const SOURCE: PipelineSource = { connectionArn: CONNECTION, repository: 'example-org/keel' };

/** The problems of `source` as `where: what`, for the pipeline `Shop-pipeline/Pipeline`. */
const problemsOf = (source: Partial<PipelineSource>) =>
  pipelineSourceProblems('Shop-pipeline/Pipeline', { ...SOURCE, ...source }).map((p) => `${p.where}: ${p.what}`);

describe('the connection ARN', () => {
  test.each([
    ['a CodeConnections connection', CONNECTION],
    ['an older CodeStar connection', `arn:aws:codestar-connections:us-east-1:444444444444:connection/${UUID}`],
    ['a connection in GovCloud', `arn:aws-us-gov:codeconnections:us-gov-west-1:444444444444:connection/${UUID}`],
    ['a connection in China', `arn:aws-cn:codestar-connections:cn-north-1:444444444444:connection/${UUID}`],
  ])('accepts %s', (_, connectionArn) => {
    expect(problemsOf({ connectionArn })).toEqual([]);
  });

  test('fails when it is not a connection ARN, quoting it and showing a good one', () => {
    expect(pipelineSourceProblems('Shop-pipeline/Pipeline', { ...SOURCE, connectionArn: 'connection-1' })).toEqual([
      {
        where: 'Shop-pipeline/Pipeline source.connectionArn',
        what: '"connection-1" is not a CodeConnections connection ARN',
        fix:
          'copy the ARN of an AVAILABLE connection from the console (Developer Tools > Connections), e.g. ' +
          `'${CONNECTION}'`,
      },
    ]);
  });

  test.each([
    ['names another service', `arn:aws:codestar:eu-west-1:444444444444:connection/${UUID}`],
    ['names a host, not a connection', `arn:aws:codeconnections:eu-west-1:444444444444:host/${UUID}`],
    ['has an account of fewer than 12 digits', `arn:aws:codeconnections:eu-west-1:4444:connection/${UUID}`],
    ['has no region', `arn:aws:codeconnections::444444444444:connection/${UUID}`],
    ['ends in something other than a connection id', `${CONNECTION.slice(0, -12)}not-a-uuid`],
    ['has an upper-case connection id', CONNECTION.replace(UUID, UUID.toUpperCase())],
    ['is empty', ''],
  ])('fails when it %s', (_, connectionArn) => {
    expect(problemsOf({ connectionArn })).toEqual([
      `Shop-pipeline/Pipeline source.connectionArn: ${JSON.stringify(connectionArn)} is not a CodeConnections connection ARN`,
    ]);
  });

  test('fails when it is missing, as from a JavaScript caller', () => {
    expect(problemsOf({ connectionArn: undefined })).toEqual([
      'Shop-pipeline/Pipeline source.connectionArn: undefined is not a CodeConnections connection ARN',
    ]);
  });
});

describe('the repository', () => {
  test.each(['example-org/keel', 'Example_Org/keel.cdk', 'a/b'])('accepts %s', (repository) => {
    expect(problemsOf({ repository })).toEqual([]);
  });

  test('fails when it is not owner/name, saying what to use', () => {
    expect(pipelineSourceProblems('Shop-pipeline/Pipeline', { ...SOURCE, repository: 'keel' })).toEqual([
      {
        where: 'Shop-pipeline/Pipeline source.repository',
        what: '"keel" is not owner/name',
        fix: "use the repository's owner and name on the connected host, e.g. 'example-org/keel'",
      },
    ]);
  });

  test.each([
    ['has no owner', '/keel'],
    ['has no name', 'example-org/'],
    ['has more than two parts', 'example-org/platform/keel'],
    ['has a space', 'example org/keel'],
    ['is a URL', 'https://github.com/example-org/keel'],
    ['is empty', ''],
  ])('fails when it %s', (_, repository) => {
    expect(problemsOf({ repository })).toEqual([
      `Shop-pipeline/Pipeline source.repository: ${JSON.stringify(repository)} is not owner/name`,
    ]);
  });
});

describe('the branch', () => {
  test.each(['main', 'release/2025-01', 'feature/PROJ-12_fix.v2'])('accepts %s', (branch) => {
    expect(problemsOf({ branch })).toEqual([]);
  });

  test('may be left out, for main', () => {
    expect(problemsOf({ branch: undefined })).toEqual([]);
  });

  test('fails when it is not a branch name, saying what to use', () => {
    expect(pipelineSourceProblems('Shop-pipeline/Pipeline', { ...SOURCE, branch: 'release candidate' })).toEqual([
      {
        where: 'Shop-pipeline/Pipeline source.branch',
        what: '"release candidate" is not a branch name',
        fix: "use the branch that releases, e.g. 'main'",
      },
    ]);
  });

  test.each([
    ['a tab', 'main\t'],
    ['a tilde', 'main~1'],
    ['a caret', 'main^'],
    ['a colon', 'origin:main'],
    ['a question mark', 'main?'],
    ['an asterisk', 'release/*'],
    ['a bracket', 'release[1]'],
    ['a backslash', 'release\\1'],
  ])('fails when it has %s', (_, branch) => {
    expect(problemsOf({ branch })).toEqual([
      `Shop-pipeline/Pipeline source.branch: ${JSON.stringify(branch)} is not a branch name`,
    ]);
  });

  test('fails when it is empty', () => {
    expect(problemsOf({ branch: '' })).toEqual(['Shop-pipeline/Pipeline source.branch: "" is not a branch name']);
  });
});

test('fails with every problem of the source at once', () => {
  expect(problemsOf({ connectionArn: 'x', repository: 'keel', branch: 'a b' })).toEqual([
    'Shop-pipeline/Pipeline source.connectionArn: "x" is not a CodeConnections connection ARN',
    'Shop-pipeline/Pipeline source.repository: "keel" is not owner/name',
    'Shop-pipeline/Pipeline source.branch: "a b" is not a branch name',
  ]);
});
