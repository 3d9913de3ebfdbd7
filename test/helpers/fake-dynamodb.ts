import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export type Item = Record<string, AttributeValue>;

/**
 * An in-memory fake of exactly the DynamoDB calls the orders handler and Powertools idempotency make, installed on an
 * aws-sdk-client-mock stub: GetItem, DeleteItem, UpdateItem with a `SET #a = :a, #b = :b` expression, and PutItem with
 * one of two conditions, `attribute_not_exists(<key>)` (fails when the key exists) or the Powertools idempotency one
 * (fails when the existing record is neither expired nor an INPROGRESS record whose in-progress expiry has passed;
 * the failure carries the existing item when ReturnValuesOnConditionCheckFailure is ALL_OLD). Any other condition or
 * update expression throws, so the fake never silently pretends to support what it does not.
 */
export class FakeDynamoDB {
  /** Items per table, by the JSON of their key attributes. */
  readonly tables = new Map<string, Map<string, Item>>();

  /** @param keys the key attribute names of each table, e.g. `{ orders: ['orderId'] }` */
  constructor(private readonly keys: Readonly<Record<string, readonly string[]>>) {}

  /** Routes the four commands of `mock` to this fake; call again after `mock.reset()`. */
  install(mock: AwsClientStub<DynamoDBClient>): this {
    mock
      .on(GetItemCommand)
      .callsFake((input: GetItemCommandInput) => ({ Item: this.table(input).get(this.id(input)) }));
    mock
      .on(DeleteItemCommand)
      .callsFake((input: DeleteItemCommandInput) => (this.table(input).delete(this.id(input)), {}));
    mock.on(PutItemCommand).callsFake((input: PutItemCommandInput) => this.put(input));
    mock.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => this.update(input));
    return this;
  }

  /** Empties every table. */
  clear(): void {
    this.tables.clear();
  }

  /** The items of one table. */
  items(tableName: string): Item[] {
    return [...(this.tables.get(tableName)?.values() ?? [])];
  }

  private table({ TableName }: { TableName?: string }): Map<string, Item> {
    if (!TableName || !this.keys[TableName]) throw new Error(`FakeDynamoDB: unknown table ${TableName}`);
    const table = this.tables.get(TableName) ?? new Map<string, Item>();
    this.tables.set(TableName, table);
    return table;
  }

  private id({ TableName, Key, Item }: { TableName?: string; Key?: Item; Item?: Item }): string {
    return JSON.stringify((this.keys[TableName ?? ''] ?? []).map((name) => (Key ?? Item)?.[name]));
  }

  private put(input: PutItemCommandInput): object {
    const table = this.table(input);
    const existing = table.get(this.id(input));
    if (existing && input.ConditionExpression && !this.allowsOverwrite(input, existing)) {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? existing : undefined,
      });
    }
    table.set(this.id(input), { ...input.Item });
    return {};
  }

  private allowsOverwrite(input: PutItemCommandInput, existing: Item): boolean {
    const { ConditionExpression: condition, ExpressionAttributeNames: names = {} } = input;
    if (/^attribute_not_exists\(\w+\)$/.test(condition ?? '')) return false;
    if (condition?.startsWith('attribute_not_exists(#id) OR #expiry < :now OR ')) {
      const number = (value?: AttributeValue) => Number(value?.N ?? Infinity);
      const values = input.ExpressionAttributeValues ?? {};
      const inProgress = existing[names['#status']]?.S === values[':inprogress']?.S;
      return (
        number(existing[names['#expiry']]) < number(values[':now']) ||
        (inProgress && number(existing[names['#in_progress_expiry']]) < number(values[':now_in_millis']))
      );
    }
    throw new Error(`FakeDynamoDB: unsupported ConditionExpression ${condition}`);
  }

  private update(input: UpdateItemCommandInput): object {
    const match = /^SET (#\w+ = :\w+(?:, #\w+ = :\w+)*)$/.exec(input.UpdateExpression ?? '');
    if (!match) throw new Error(`FakeDynamoDB: unsupported UpdateExpression ${input.UpdateExpression}`);
    const { ExpressionAttributeNames: names = {}, ExpressionAttributeValues: values = {} } = input;
    const table = this.table(input);
    const item: Item = { ...(table.get(this.id(input)) ?? input.Key) };
    for (const assignment of match[1].split(', ')) {
      const [name, value] = assignment.split(' = ');
      if (!names[name] || !values[value]) throw new Error(`FakeDynamoDB: ${assignment} is missing a name or value`);
      item[names[name]] = values[value];
    }
    table.set(this.id(input), item);
    return {};
  }
}
