/** A CloudFormation string value with its Fn::Join flattened and references written as `<logicalId>[.<attr>]`. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const object = value as Record<string, unknown>;
  if (Array.isArray(object['Fn::Join'])) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(separator);
  }
  if (Array.isArray(object['Fn::GetAtt'])) return (object['Fn::GetAtt'] as string[]).join('.');
  if (typeof object.Ref === 'string') return object.Ref;
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}
