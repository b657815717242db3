import type { TracerProvider } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Options of {@link createOtlpTracerProvider}: the standard `OTEL_EXPORTER_OTLP_*` settings. */
export interface OtlpOptions {
  /** The collector's base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans are posted to `<endpoint>/v1/traces`. */
  endpoint: string;
  /** Default `none` (`OTEL_EXPORTER_OTLP_COMPRESSION`). */
  compression?: 'none' | 'gzip';
  /** Sent with every export (`OTEL_EXPORTER_OTLP_HEADERS`): a collector's API key, say. */
  headers?: Record<string, string>;
  /** `service.name` of the spans (default `baton`). */
  serviceName?: string;
  /**
   * Told once per batch the collector did not take (unreachable, refused): without it the SDK
   * drops the spans silently.
   */
  onExportError?: (error: Error) => void;
}

/** A tracer provider exporting over OTLP/HTTP, and how to flush and stop it. */
export interface OtlpTracing {
  tracerProvider: TracerProvider;
  /** Exports what is still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

/**
 * A tracer provider that batches spans and posts them over OTLP/HTTP (JSON). The OpenTelemetry
 * SDK is imported here, on demand, so that a process that traces nothing never loads it.
 */
export async function createOtlpTracerProvider(options: OtlpOptions): Promise<OtlpTracing> {
  const [{ BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const exporter = new OTLPTraceExporter({
    url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces`,
    headers: options.headers ?? {},
    // The exporter's enum is a string enum of exactly these two spellings.
    compression: (options.compression ?? 'none') as never,
  });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'baton' }),
    spanProcessors: [
      new BatchSpanProcessor(reportingFailures(exporter, options.onExportError), {
        scheduledDelayMillis: 1_000,
      }),
    ],
  });
  return { tracerProvider: provider, shutdown: () => provider.shutdown() };
}

/** `ExportResultCode.SUCCESS` of `@opentelemetry/core`, which Baton does not depend on directly. */
export const EXPORT_SUCCEEDED = 0;

/** `exporter`, telling `onError` of every batch it could not deliver. */
function reportingFailures(exporter: SpanExporter, onError?: (error: Error) => void): SpanExporter {
  if (onError === undefined) return exporter;
  return {
    export(spans, resultCallback) {
      exporter.export(spans, (result) => {
        if (result.code !== EXPORT_SUCCEEDED)
          onError(result.error ?? new Error(`the collector did not take ${spans.length} spans`));
        resultCallback(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    ...(exporter.forceFlush && { forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve() }),
  };
}
