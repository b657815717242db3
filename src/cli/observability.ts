import type { BatonConfig } from '../config/load-config.js';
import type { TelemetryOptions } from '../telemetry/instrumentation.js';
import { createLogger, defaultLogFormat, type Logger } from '../telemetry/logger.js';
import { type BatonMetrics, createMetrics } from '../telemetry/metrics.js';
import { createOtlpTracerProvider } from '../telemetry/otlp.js';

type ObservabilityConfig = Pick<
  BatonConfig,
  'otlpEndpoint' | 'otlpCompression' | 'otlpHeaders' | 'otelServiceName' | 'otelCaptureContent'
>;

/** What a command that executes runs (`run`, `exec`, `mcp`, `serve`, `worker`) observes with, and how to flush it on exit. */
export interface CliTelemetry {
  options: TelemetryOptions & { metrics: BatonMetrics };
  /** Exports the spans still buffered; call after the runtime stopped. */
  shutdown(): Promise<void>;
}

/**
 * The metrics every long-running command keeps, and spans over OTLP/HTTP when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set (the SDK is loaded only then).
 */
export async function cliTelemetry(config: ObservabilityConfig, logger: Logger): Promise<CliTelemetry> {
  const metrics = createMetrics();
  const captureContent = config.otelCaptureContent;
  if (config.otlpEndpoint === undefined) {
    return { options: { metrics, captureContent }, shutdown: async () => undefined };
  }
  const tracing = await createOtlpTracerProvider({
    endpoint: config.otlpEndpoint,
    compression: config.otlpCompression,
    serviceName: config.otelServiceName,
    ...(config.otlpHeaders !== undefined && { headers: config.otlpHeaders }),
    onExportError: (error) => logger.warn('could not export spans', { endpoint: config.otlpEndpoint, error }),
  });
  logger.info('exporting spans over OTLP/HTTP', {
    endpoint: config.otlpEndpoint,
    compression: config.otlpCompression,
  });
  return {
    options: { metrics, captureContent, tracerProvider: tracing.tracerProvider },
    // A last batch the collector did not take was told to onExportError already: once is enough.
    shutdown: () => tracing.shutdown().catch(() => undefined),
  };
}

/** The logger of the commands that execute runs: `--log-level`, `--log-format` (pretty on a terminal, else JSON lines). */
export function cliLogger(config: Pick<BatonConfig, 'logLevel' | 'logFormat'>): Logger {
  return createLogger({ level: config.logLevel, format: config.logFormat ?? defaultLogFormat() });
}
