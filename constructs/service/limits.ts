/**
 * AWS limits that Keel's advice is bounded by, each as AWS documents it.
 *
 * Integration timeout: the Amazon API Gateway Developer Guide's quotas ("Amazon API Gateway quotas", REST APIs)
 * give 50 milliseconds to 29 seconds for every integration type, Lambda included. Since June 2024, Regional and
 * private REST APIs may go beyond 29 seconds after a Service Quotas increase, which may lower the account's
 * throttle quota. Keel allows 29 seconds: it leaves the integration at API Gateway's default, asks for no quota
 * increase, and a request that needs longer is work for a queue.
 *
 * Function timeout: the AWS Lambda Developer Guide's quotas ("Lambda quotas") give 900 seconds (15 minutes) at most;
 * Lambda's `Timeout` is a whole number of seconds, at least 1.
 *
 * Stage throttling: the API Gateway Developer Guide ("Throttle requests to your REST APIs") throttles with a token
 * bucket, the rate (a number of requests per second) refilling a bucket of burst size (a whole number of requests).
 */

/** How long API Gateway waits for a Lambda integration, in seconds: what Keel allows a routed function. */
export const API_INTEGRATION_TIMEOUT_SECONDS = 29;

/** The longest a Lambda function may run, in seconds (15 minutes). */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** The shortest timeout a Lambda function may have, in seconds. */
export const LAMBDA_MIN_TIMEOUT_SECONDS = 1;
