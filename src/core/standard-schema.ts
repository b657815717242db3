// The Standard Schema v1 interface (standardschema.dev), copied as its authors recommend instead
// of depended on: zod 4, Valibot and ArkType schemas all carry it under `~standard`. Recognising
// schemas by this shape, never by `instanceof`, lets a user's own copy of zod work with Baton's.

/** A schema that validates values and tells their types: the `~standard` property of zod 4 and others. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaProps<Input, Output>;
}

/** What a Standard Schema carries under `~standard`. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  /** Standard JSON Schema (zod 4.2 and later): the schema as JSON Schema. */
  readonly jsonSchema?: {
    readonly input: (options: { readonly target: string }) => Record<string, unknown>;
  };
}

/** The outcome of `~standard.validate`: the parsed value, or the issues found. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardIssue[] };

/** One validation problem, with the path to the offending value when there is one. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}

/** True for any object carrying a version 1 `~standard` with a `validate` function. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props = (value as { '~standard'?: Partial<StandardSchemaProps> })['~standard'];
  return (
    typeof props === 'object' && props !== null && props.version === 1 && typeof props.validate === 'function'
  );
}

/** `a.b.0: message` for one issue; `input` stands for the root. */
export function describeIssue(issue: StandardIssue): string {
  const keys = (issue.path ?? []).map((segment) =>
    String(typeof segment === 'object' && segment !== null ? segment.key : segment),
  );
  return `${keys.length === 0 ? 'input' : keys.join('.')}: ${issue.message}`;
}
