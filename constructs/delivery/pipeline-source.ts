import type { Problem } from '../errors';

const CONNECTION_ARN =
  /^arn:aws(-[a-z]+)*:(codestar-connections|codeconnections):[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where the pipeline's source comes from: a CodeConnections (CodeStar) connection to a Git repository. */
export interface PipelineSource {
  /** `arn:aws:codeconnections:<region>:<account>:connection/<uuid>` (or the older `codestar-connections`). */
  readonly connectionArn: string;
  /** `owner/name` on the connected host, e.g. `example-org/keel`. */
  readonly repository: string;
  /**
   * The branch that releases.
   * @default 'main'
   */
  readonly branch?: string;
}

/** What is wrong with a pipeline's source; `where` names the pipeline. */
export function pipelineSourceProblems(where: string, source: PipelineSource): Problem[] {
  const problems: Problem[] = [];
  const { connectionArn, repository, branch } = source;
  if (!CONNECTION_ARN.test(connectionArn ?? '')) {
    problems.push({
      where: `${where} source.connectionArn`,
      what: `${JSON.stringify(connectionArn)} is not a CodeConnections connection ARN`,
      fix:
        'copy the ARN of an AVAILABLE connection from the console (Developer Tools > Connections), e.g. ' +
        "'arn:aws:codeconnections:eu-west-1:444444444444:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0'",
    });
  }
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository ?? '')) {
    problems.push({
      where: `${where} source.repository`,
      what: `${JSON.stringify(repository)} is not owner/name`,
      fix: "use the repository's owner and name on the connected host, e.g. 'example-org/keel'",
    });
  }
  if (branch !== undefined && !/^[^\s~^:?*[\\]+$/.test(branch)) {
    problems.push({
      where: `${where} source.branch`,
      what: `${JSON.stringify(branch)} is not a branch name`,
      fix: "use the branch that releases, e.g. 'main'",
    });
  }
  return problems;
}
