/** The made-up credentials and region that tests give the AWS SDK in front of the emulator (moto). */
export const TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'eu-west-1' };

/**
 * Sets `values` in `process.env` (`undefined` removes the variable) and returns what puts every one of them back as it
 * was, removed again where it was not set.
 */
export function setEnv(values: Readonly<Record<string, string | undefined>>): () => void {
  const before = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const apply = (env: Readonly<Record<string, string | undefined>>) => {
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  };
  apply(values);
  return () => apply(before);
}
