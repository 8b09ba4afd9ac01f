import { toBoolean, toDateTime, toMoney, toNumber, toText, parseOffset, type Conversion } from './conversions';

/** How a field is converted before storage. */
export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'money' | 'datetime' | 'raw';

export interface FieldRule {
  kind: FieldKind;
  /** An empty value (null, undefined, "") is a validation error. @default false */
  required?: boolean;
}

/** Conversion per field; input fields not listed pass through unchanged (still dropped when empty). */
export type DtoSchema = Readonly<Record<string, FieldKind | FieldRule>>;

export interface DtoOptions {
  /** Offset written on datetimes. @default "+07:00" */
  timezoneOffset?: string;
  /** Fields stored as null instead of dropped when empty. @default [] */
  keepKeys?: readonly string[];
  /** Field that keeps the raw input of fields that failed to convert. @default "raw_fields" */
  rawField?: string;
}

export interface DtoValidation {
  is_valid: boolean;
  validation_errors: string[];
}

type Converted = { doc: Record<string, unknown>; errors: string[]; raw: Record<string, unknown> };

const DEFAULT_OFFSET = '+07:00';
const DEFAULT_RAW_FIELD = 'raw_fields';

function convert(kind: FieldKind, value: unknown, offset: string): Conversion<unknown> {
  switch (kind) {
    case 'string':
      return toText(value);
    case 'number':
      return toNumber(value, false);
    case 'integer':
      return toNumber(value, true);
    case 'boolean':
      return toBoolean(value);
    case 'money':
      return toMoney(value);
    case 'datetime':
      return toDateTime(value, offset);
    default:
      return { ok: true, value };
  }
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

/**
 * Base class for documents written to MongoDB: converts raw crawler input (money to
 * Decimal128, epochs to ISO-8601 with offset), drops empty fields and records validation
 * results in the document itself, so bad rows are stored and inspectable instead of lost.
 *
 *   class PriceDto extends MongoDto {
 *     protected readonly schema = { sku: { kind: 'string', required: true }, price: 'money', seen_at: 'datetime' } as const;
 *   }
 *   new PriceDto({ sku: 'A1', price: '12.50', seen_at: 1709260200 }).toDocument();
 */
export abstract class MongoDto {
  protected abstract readonly schema: DtoSchema;
  private readonly offset: string;
  private readonly keepKeys: ReadonlySet<string>;
  private readonly rawField: string;
  private cached?: Converted;

  constructor(
    protected readonly input: Readonly<Record<string, unknown>>,
    options: DtoOptions = {},
  ) {
    this.offset = options.timezoneOffset ?? DEFAULT_OFFSET;
    parseOffset(this.offset);
    this.keepKeys = new Set(options.keepKeys ?? []);
    this.rawField = options.rawField ?? DEFAULT_RAW_FIELD;
  }

  /** Extra checks on the converted document, for subclasses. @default no extra checks */
  protected rules(_doc: Readonly<Record<string, unknown>>): string[] {
    return [];
  }

  private rule(field: string): FieldRule {
    const r = this.schema[field];
    return typeof r === 'string' ? { kind: r } : (r ?? { kind: 'raw' });
  }

  // Lazy: subclass field initialisers (the schema) run after this base constructor.
  private converted(): Converted {
    if (this.cached) return this.cached;
    const out: Converted = { doc: {}, errors: [], raw: {} };
    const fields = new Set([...Object.keys(this.input), ...Object.keys(this.schema), ...this.keepKeys]);
    for (const field of fields) {
      const rule = this.rule(field);
      const result = convert(rule.kind, this.input[field], this.offset);
      if (!result.ok) {
        out.errors.push(`${field}: ${result.error}`);
        out.raw[field] = this.input[field];
        continue;
      }
      if (!isEmpty(result.value)) out.doc[field] = result.value;
      else if (rule.required) out.errors.push(`${field}: is required`);
      else if (this.keepKeys.has(field)) out.doc[field] = null;
    }
    this.cached = out;
    return out;
  }

  validate(): DtoValidation {
    const { doc, errors } = this.converted();
    const all = [...errors, ...this.rules(doc)];
    return { is_valid: all.length === 0, validation_errors: all };
  }

  /** The document to store: converted fields, `is_valid`, `validation_errors` and raw inputs that failed. */
  toDocument(): Record<string, unknown> {
    const { doc, raw } = this.converted();
    const out: Record<string, unknown> = { ...doc, ...this.validate() };
    if (Object.keys(raw).length > 0) out[this.rawField] = raw;
    return out;
  }
}
