/**
 * An S3 client from the environment: AWS (credentials from the standard
 * provider chain: env, profile, SSO, instance/task role) or an S3-compatible
 * server (S3_ENDPOINT, path-style addressing). https endpoints are verified
 * against the system's CAs, or against a private CA (S3_CA_FILE / ca_file).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent } from 'node:https';
import { FlowlogError } from '../../core/errors.js';
import { readPemFile } from '../../config/pem.js';
import { redactUrl, registerSecret } from '../../telemetry/redact.js';
import { attachLeanGet } from './s3-get.js';

export interface S3Settings {
  endpoint?: string; region?: string; forcePathStyle?: boolean; accessKeyId?: string; secretAccessKey?: string; ca?: Buffer;
  /** Small objects through the lean GET (s3-get.ts, default); false sends every GET through the SDK (benchmarks compare the two). */
  leanGet?: boolean;
}

export function s3SettingsFromEnv(env = process.env): S3Settings {
  const endpoint = env.S3_ENDPOINT;
  if (endpoint) {
    try { new URL(endpoint); } catch {
      throw new FlowlogError('CONFIG_INVALID', `S3_ENDPOINT="${redactUrl(endpoint)}" is not a URL`, 'use e.g. http://127.0.0.1:9000, or unset it for AWS');
    }
  }
  const accessKeyId = env.S3_ACCESS_KEY, secretAccessKey = env.S3_SECRET_KEY;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new FlowlogError('CONFIG_INVALID', 'S3_ACCESS_KEY and S3_SECRET_KEY must be set together', 'set both, or neither to use the AWS credential chain');
  }
  return {
    ...(endpoint ? { endpoint } : {}),
    region: env.S3_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // S3-compatible servers are addressed by path; AWS by virtual host
    forcePathStyle: env.S3_FORCE_PATH_STYLE ? env.S3_FORCE_PATH_STYLE === 'true' : Boolean(endpoint),
    ...(accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : {}),
    ...(env.S3_CA_FILE ? { ca: readPemFile(env.S3_CA_FILE, 'S3_CA_FILE') } : {}),
  };
}

const MAX_SOCKETS = 512;

export function makeS3Client(s: S3Settings): S3Client {
  registerSecret(s.secretAccessKey);
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    https: new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, ...(s.ca ? { ca: s.ca } : {}) }),
  };
  const client = new S3Client({
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    region: s.region ?? 'us-east-1',
    forcePathStyle: s.forcePathStyle ?? false,
    ...(s.accessKeyId && s.secretAccessKey ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } } : {}),
    // sockets for every GET a source keeps in flight (s3 concurrency, at most 512): the SDK's default of 50 would queue them
    requestHandler: new NodeHttpHandler({ httpAgent: agents.http, httpsAgent: agents.https }),
    // the SDK retries throttling and network errors with backoff; adaptive also slows down under 503 SlowDown
    maxAttempts: 6,
    retryMode: 'adaptive',
  });
  // whole small objects skip the SDK's middleware on the same sockets, credentials, endpoint rules and retry strategy
  if (s.leanGet !== false) attachLeanGet(client, { agents, ...(s.endpoint ? { endpoint: s.endpoint } : {}) });
  return client;
}
