import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'));

/** ajv with the published plan and report schemas, and a strict ISO date-time format. */
export function schemaValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addSchema(load('plan.schema.json'), 'plan.schema.json');
  ajv.addSchema(load('report.schema.json'), 'report.schema.json');
  return {
    plan: (data: unknown) => check(ajv, 'plan.schema.json', data),
    report: (data: unknown) => check(ajv, 'report.schema.json', data),
  };
}

function check(ajv: Ajv2020, id: string, data: unknown): string[] {
  const validate = ajv.getSchema(id)!;
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
