/** The text of src/api/schema.d.ts for an OpenAPI document (see render-schema-types.mjs). */
export function renderSchemaTypes(doc: unknown): Promise<string>;
