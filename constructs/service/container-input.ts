import * as fs from 'node:fs';
import type { Duration } from 'aws-cdk-lib';
import type { Problem } from '../errors';
import { credentialReason } from '../governance/rules/secrets/no-credential-literals';
import type { DeploymentStrategy } from './deployment-strategy';
import {
  containerSizeProblems,
  containerStrategyProblems,
  healthCheckPathProblems,
  portProblems,
  taskCountProblems,
  type ContainerSize,
  type TaskCount,
} from './fargate-limits';
import type { ProtectionLevel } from './protection';

/** A name that says it holds a secret, as NoCredentialLiterals reads names. */
const SECRET_NAME = /(^|_)(SECRET|TOKEN|PASSWORD|PASSWD|KEY)$/i;

/** Everything ProductionContainerService checks before it builds, its defaults applied, paths absolute. */
export interface ContainerInput {
  readonly environment: string;
  readonly protection: ProtectionLevel;
  readonly entry: string;
  readonly dockerfile: string;
  readonly containerPort: number;
  readonly healthCheckPath: string;
  readonly size: ContainerSize;
  readonly taskCount: TaskCount;
  readonly strategy: DeploymentStrategy;
  readonly bakeTime: Duration;
  readonly certificateArn?: string;
  readonly environmentVariables?: Readonly<Record<string, string>>;
}

/** Every problem of a container service's input, each naming the field, the bad value, what is allowed and the fix. */
export function containerInputProblems(where: string, input: ContainerInput): Problem[] {
  return [
    ...fileProblems(
      input.entry,
      `${where} entry`,
      "the app's main .ts file, e.g. path.join(__dirname, 'app', 'server.ts')",
    ),
    ...fileProblems(
      input.dockerfile,
      `${where} dockerfile`,
      "a Dockerfile that COPYs app.js, by default beside the entry's folder (lib/services/<name>/Dockerfile), or pass dockerfile",
    ),
    ...certificateProblems(where, input),
    ...portProblems(input.containerPort, `${where} containerPort`),
    ...healthCheckPathProblems(input.healthCheckPath, `${where} healthCheckPath`),
    ...containerSizeProblems(input.size, `${where} size`),
    ...taskCountProblems(input.taskCount, `${where} taskCount`),
    ...containerStrategyProblems(input.strategy, input.bakeTime, where),
    ...variableProblems(where, input.environmentVariables ?? {}),
  ];
}

function fileProblems(file: string, where: string, wanted: string): Problem[] {
  if (fs.existsSync(file) && fs.statSync(file).isFile()) return [];
  return [{ where, what: `${JSON.stringify(file)} is not a file`, fix: `pass ${wanted}` }];
}

function certificateProblems(where: string, input: ContainerInput): Problem[] {
  if (input.protection === 'basic' || (input.certificateArn !== undefined && input.certificateArn !== '')) return [];
  const env = input.environment;
  return [
    {
      where: `${where} certificateArn`,
      what: `is missing: at ${input.protection} protection the load balancer serves HTTPS only`,
      fix:
        `pass certificateArn: the reference app takes it from "keel:${env}:certificateArn" in cdk.json (or ` +
        `$KEEL_${env.toUpperCase()}_CERTIFICATE_ARN), an ACM certificate of the environment's account and region`,
    },
  ];
}

function variableProblems(where: string, variables: Readonly<Record<string, string>>): Problem[] {
  return Object.entries(variables).flatMap(([name, value]): Problem[] => {
    const reason = credentialReason(name, value) ?? (SECRET_NAME.test(name) ? 'a secret, by its name' : undefined);
    if (reason === undefined) return [];
    return [
      {
        where: `${where} environmentVariables.${name}`,
        what: `looks like ${reason}: a plain variable is readable by anyone who can read the task definition`,
        fix:
          "pass secrets with addSecret(id, rotation, description, 'NAME'), which gives the container an ECS secret; " +
          'if it is no secret, rename it so that it does not end in _SECRET, _TOKEN, _PASSWORD, _PASSWD or _KEY',
      },
    ];
  });
}
