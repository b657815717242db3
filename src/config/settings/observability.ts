import { boolean, httpUrl, keyValueList, oneOf, port, text } from '../parsers.js';
import { setting } from '../setting.js';

/** Observability. */
export const OBSERVABILITY_SETTINGS = {
  otlpEndpoint: setting<string>({
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    description:
      'export spans over OTLP/HTTP to this collector (traces go to <url>/v1/traces); no tracing without it',
    defaultText: 'none',
    parse: httpUrl,
  }),
  otlpCompression: setting<'none' | 'gzip'>({
    env: 'OTEL_EXPORTER_OTLP_COMPRESSION',
    description: 'compression of exported spans',
    default: 'none',
    choices: ['none', 'gzip'],
    parse: oneOf(['none', 'gzip'] as const),
  }),
  otlpHeaders: setting<Record<string, string>>({
    env: 'OTEL_EXPORTER_OTLP_HEADERS',
    description:
      'headers sent with exported spans, as key=value,key2=value2 (e.g. an API key of the collector)',
    defaultText: 'none',
    parse: keyValueList,
    secret: true,
  }),
  otelServiceName: setting({
    env: 'OTEL_SERVICE_NAME',
    description: 'the service.name of exported spans',
    default: 'baton',
    parse: text,
  }),
  otelCaptureContent: setting({
    env: 'BATON_OTEL_CAPTURE_CONTENT',
    description: 'record prompts, answers, tool arguments and results on spans (secrets redacted)',
    default: false,
    parse: boolean,
  }),
  metricsPublic: setting({
    flag: { syntax: '--metrics-public', commands: ['serve'] },
    description: 'serve GET /metrics without authentication (for a Prometheus scraper on a trusted network)',
    default: false,
  }),
  metricsPort: setting<number>({
    flag: { syntax: '--metrics-port <port>', commands: ['worker'] },
    description: 'serve Prometheus metrics at http://127.0.0.1:<port>/metrics while the worker runs',
    defaultText: 'none',
    parse: port,
  }),
};
