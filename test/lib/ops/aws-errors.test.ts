import { awsError, describeAwsError, isAwsSdkError, isTransientAwsError } from '../../../lib/ops/aws-errors';
import { KeelCliError } from '../../../lib/ops/errors';
import { sdkError } from '../../helpers/manifest';

describe('awsError', () => {
  const doing = 'listing alarms (DescribeAlarms)';

  test('passes a KeelCliError through unchanged', () => {
    const original = new KeelCliError('already explained', 2);

    expect(awsError(original, doing)).toBe(original);
  });

  test('maps missing credentials to one line with exit code 3', () => {
    for (const error of [
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      sdkError('Error', 'Resolved credential object is not valid'),
    ]) {
      const mapped = awsError(error, doing);
      expect(mapped.exitCode).toBe(3);
      expect(mapped.message).toMatch(/^listing alarms \(DescribeAlarms\) failed: no AWS credentials; /);
      expect(mapped.cause).toBe(error);
    }
  });

  test('maps a missing region to one line with exit code 3', () => {
    const mapped = awsError(sdkError('Error', 'Region is missing'), doing);

    expect(mapped.exitCode).toBe(3);
    expect(mapped.message).toBe(`${doing} failed: no AWS region; pass --region or set AWS_REGION`);
  });

  test('maps access denied, by name or HTTP 403, to one line with exit code 3', () => {
    for (const error of [
      sdkError('AccessDeniedException', 'User x is not authorized'),
      sdkError('AccessDenied', 'User x is not authorized'),
      sdkError('UnauthorizedOperation', 'User x is not authorized'),
      sdkError('SomethingElse', 'User x is not authorized', { $metadata: { httpStatusCode: 403 } }),
    ]) {
      const mapped = awsError(error, doing);
      expect(mapped.exitCode).toBe(3);
      expect(mapped.message).toBe(
        `${doing} failed: access denied (User x is not authorized); the caller needs cloudwatch:DescribeAlarms and cloudwatch:GetMetricData`,
      );
    }
  });

  test('maps throttling to one line with exit code 3', () => {
    for (const name of ['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']) {
      const mapped = awsError(sdkError(name, 'Rate exceeded'), doing);
      expect(mapped.exitCode).toBe(3);
      expect(mapped.message).toBe(
        `${doing} failed: CloudWatch kept throttling the requests after retries; try again in a minute`,
      );
    }
  });

  test('maps network failures, by code, cause code or timeout, to one line with exit code 3', () => {
    const cases: [Error, string][] = [
      [sdkError('Error', 'connect ECONNREFUSED 127.0.0.1:5000', { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
      [sdkError('Error', 'getaddrinfo ENOTFOUND x', { code: 'ENOTFOUND' }), 'ENOTFOUND'],
      [sdkError('Error', 'socket hang up', { code: 'ECONNRESET' }), 'ECONNRESET'],
      [sdkError('Error', 'timed out', { code: 'ETIMEDOUT' }), 'ETIMEDOUT'],
      [sdkError('Error', 'getaddrinfo EAI_AGAIN x', { code: 'EAI_AGAIN' }), 'EAI_AGAIN'],
      [sdkError('Error', 'fetch failed', { cause: { code: 'ECONNREFUSED' } }), 'ECONNREFUSED'],
      [sdkError('TimeoutError', 'Connection timed out after 1000 ms'), 'TimeoutError'],
    ];
    for (const [error, shown] of cases) {
      const mapped = awsError(error, doing);
      expect(mapped.exitCode).toBe(3);
      expect(mapped.message).toBe(
        `${doing} failed: cannot reach the CloudWatch endpoint (${shown}); check --endpoint-url, AWS_ENDPOINT_URL and the network`,
      );
    }
  });

  test('maps any other error to its name and message with exit code 3', () => {
    const mapped = awsError(sdkError('InvalidParameterValue', 'The alarm name is too long'), doing);

    expect(mapped.exitCode).toBe(3);
    expect(mapped.message).toBe(`${doing} failed: InvalidParameterValue: The alarm name is too long`);
  });

  test('maps an answer that is not AWS (an HTML page) to one line naming the endpoint, its status and what to check', () => {
    const html = sdkError(
      'SyntaxError',
      `Unexpected token '<', "<!doctype "... is not valid JSON\n  Deserialization error: to see the raw response, ...`,
      {
        $metadata: { httpStatusCode: 200 },
        $response: { headers: { 'content-type': 'text/html' } },
        keelEndpoint: 'https://proxy.example.com',
      },
    );

    const mapped = awsError(html, doing);

    expect(mapped.exitCode).toBe(3);
    expect(mapped.message).toBe(
      `${doing} failed: the CloudWatch endpoint https://proxy.example.com answered with something that is not an ` +
        'AWS response (HTTP 200, text/html): a proxy, a captive portal or a wrong endpoint; check --endpoint-url, ' +
        'AWS_ENDPOINT_URL, --region and HTTPS_PROXY',
    );
  });

  test('names the host it could not find, and --region among what to check', () => {
    const error = sdkError('Error', 'getaddrinfo ENOTFOUND monitoring.eu-wst-1.amazonaws.com', {
      code: 'ENOTFOUND',
      keelEndpoint: 'https://monitoring.eu-wst-1.amazonaws.com',
    });

    expect(awsError(error, doing).message).toBe(
      `${doing} failed: cannot reach the CloudWatch endpoint https://monitoring.eu-wst-1.amazonaws.com (ENOTFOUND); ` +
        'check --region, --endpoint-url, AWS_ENDPOINT_URL and the network',
    );
  });

  test('keeps only the first line of an SDK message that runs to several, so the error stays one line', () => {
    const mapped = awsError(sdkError('WeirdError', 'It broke.\n  Some detail\n  More detail'), doing);

    expect(mapped.message).toBe(`${doing} failed: WeirdError: It broke.`);
  });

  test('maps a thrown string to its text with exit code 3', () => {
    const mapped = awsError('boom', doing);

    expect(mapped.exitCode).toBe(3);
    expect(mapped.message).toBe(`${doing} failed: error: boom`);
  });
});

describe('isAwsSdkError', () => {
  test('recognises what the SDK throws: errors with $metadata, and credential provider errors by name', () => {
    expect(isAwsSdkError(sdkError('AccessDeniedException', 'User x is not authorized'))).toBe(true);
    expect(isAwsSdkError(Object.assign(new Error('connect ECONNREFUSED'), { $metadata: { attempts: 4 } }))).toBe(true);
    for (const name of ['CredentialsProviderError', 'TokenProviderError', 'ProviderError']) {
      expect(isAwsSdkError(Object.assign(new Error('Could not load credentials'), { name }))).toBe(true);
    }
  });

  test('does not take a bug for an AWS error: plain errors, strings and nothing are not SDK errors', () => {
    expect(isAwsSdkError(new TypeError("Cannot read properties of undefined (reading 'alarms')"))).toBe(false);
    expect(isAwsSdkError(Object.assign(new Error('x'), { $metadata: undefined }))).toBe(false);
    expect(isAwsSdkError('boom')).toBe(false);
    expect(isAwsSdkError(undefined)).toBe(false);
  });
});

describe('describeAwsError', () => {
  test('names no service and no permissions when it does not know which service was called', () => {
    expect(describeAwsError(sdkError('AccessDeniedException', 'User x is not authorized'))).toBe(
      'access denied (User x is not authorized)',
    );
    expect(describeAwsError(sdkError('ThrottlingException', 'Rate exceeded'))).toBe(
      'AWS kept throttling the requests after retries; try again in a minute',
    );
    expect(describeAwsError(sdkError('TimeoutError', 'Connection timed out after 1000 ms'))).toBe(
      'cannot reach the AWS endpoint (TimeoutError); check --endpoint-url, AWS_ENDPOINT_URL and the network',
    );
  });

  test('names CodePipeline and its permissions for CodePipeline calls', () => {
    expect(describeAwsError(sdkError('AccessDeniedException', 'no'), 'codepipeline')).toBe(
      'access denied (no); the caller needs codepipeline:GetPipelineState, codepipeline:ListPipelineExecutions and codepipeline:RollbackStage',
    );
  });
});

describe('failure classes under faults', () => {
  const endpoint = { keelEndpoint: 'https://monitoring.eu-west-1.amazonaws.com' };

  test('names expired credentials and how to refresh them', () => {
    expect(describeAwsError(sdkError('ExpiredTokenException', 'The security token is expired'))).toBe(
      'the AWS credentials have expired (ExpiredTokenException); refresh them (aws sso login, or new temporary ' +
        'credentials) and run again',
    );
  });

  test('names a TLS failure by its code, on the error, its cause or in its message', () => {
    for (const error of [
      sdkError('Error', 'certificate has expired', { code: 'CERT_HAS_EXPIRED', ...endpoint }),
      sdkError('Error', 'x', { cause: { code: 'CERT_HAS_EXPIRED' }, ...endpoint }),
      sdkError('Error', 'AWS SDK error wrapper for Error: write CERT_HAS_EXPIRED', endpoint),
    ]) {
      expect(describeAwsError(error)).toMatch(
        /^no trusted TLS connection to the AWS endpoint https:\/\/monitoring\.eu-west-1\.amazonaws\.com \(CERT_HAS_EXPIRED\); check --endpoint-url/,
      );
    }
  });

  test('names the status and the attempts of a 5xx that outlasted the retries', () => {
    const error = sdkError('InternalFailure', 'boom', { $metadata: { httpStatusCode: 500, attempts: 4 }, ...endpoint });

    expect(describeAwsError(error, 'cloudwatch')).toBe(
      'the CloudWatch endpoint https://monitoring.eu-west-1.amazonaws.com kept failing with HTTP 500 ' +
        '(InternalFailure) after 4 attempts; AWS or a proxy in between is failing: try again in a few minutes',
    );
  });

  test('maps a pipeline the account does not have to exit code 2, a configuration error', () => {
    const mapped = awsError(sdkError('PipelineNotFoundException', 'no such pipeline'), 'reading', 'codepipeline');

    expect(mapped.exitCode).toBe(2);
    expect(mapped.message).toContain('does not know it (PipelineNotFoundException: no such pipeline)');
  });

  test('takes throttling, 5xx, timeouts and dropped connections for transient, and nothing else', () => {
    const transient = [
      sdkError('ThrottlingException', 'Rate exceeded'),
      sdkError('ServiceUnavailable', 'x', { $metadata: { httpStatusCode: 503 } }),
      sdkError('TimeoutError', 'a request has exceeded the configured 15000 ms requestTimeout'),
      sdkError('Error', 'AWS SDK error wrapper for TimeoutError: socket hang up'),
      sdkError('Error', 'connect ECONNREFUSED', { code: 'ECONNREFUSED' }),
    ];
    const lasting = [
      sdkError('AccessDeniedException', 'no'),
      sdkError('ExpiredTokenException', 'expired'),
      sdkError('SyntaxError', 'Unexpected token\n  Deserialization error: ...', { $metadata: { httpStatusCode: 502 } }),
      new Error('a bug'),
    ];

    expect(transient.map(isTransientAwsError)).toEqual(transient.map(() => true));
    expect(lasting.map(isTransientAwsError)).toEqual(lasting.map(() => false));
  });
});
