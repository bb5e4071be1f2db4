/** The JSON Schema of the configuration, for editors: generated from the zod schema, never written by hand. */
import { ignoreOverride, zodToJsonSchema } from 'zod-to-json-schema';
import { secret } from '../../schemas/common.js';
import { configSchema } from '../../schemas/config.js';
import { webhookUrl } from '../../schemas/reports.js';

export type JsonSchema = Record<string, unknown>;

export const SCHEMA_FILE = 'schemas/flowlog.schema.json';

export function configJsonSchema(): JsonSchema {
  const { $schema: _, ...secretJson } = zodToJsonSchema(secret, { $refStrategy: 'none', target: 'jsonSchema7' }) as JsonSchema;
  const webhookUrlJson = { ...secretJson, description: webhookUrl.description };
  const schema = zodToJsonSchema(configSchema, {
    $refStrategy: 'none', target: 'jsonSchema7', effectStrategy: 'input', pipeStrategy: 'input',
    // the inline string is accepted by the type check only to be refused with advice: editors should offer the reference alone
    override: (def) => (def === webhookUrl._def ? webhookUrlJson : ignoreOverride),
  }) as JsonSchema;
  return { ...schema, title: 'flowlog configuration', description: 'The YAML file given to flowlog with --config (or FLOWLOG_CONFIG). Generated from schemas/config.ts by npm run gen:config.' };
}
