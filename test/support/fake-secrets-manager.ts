/**
 * A local HTTP server on 127.0.0.1 that speaks the AWS Secrets Manager JSON protocol
 * (`POST /`, `Content-Type: application/x-amz-json-1.1`,
 * `X-Amz-Target: secretsmanager.GetSecretValue`), so the real
 * `@aws-sdk/client-secrets-manager` client runs its serialization and error parsing
 * against it (CONTRIBUTING.md, "How the tests are organised": no emulator for Secrets Manager here).
 *
 * Secrets hold versions with staging labels; `rotate(value)` does what a finished
 * rotation does: the new value becomes AWSCURRENT and the old one AWSPREVIOUS.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Version {
  readonly id: string;
  readonly value: string;
  stages: string[];
}

export class FakeSecretsManager {
  static async start(): Promise<FakeSecretsManager> {
    const fake = new FakeSecretsManager();
    await new Promise<void>((resolve) => fake.http.listen(0, '127.0.0.1', resolve));
    fake.endpoint = `http://127.0.0.1:${(fake.http.address() as AddressInfo).port}`;
    return fake;
  }

  endpoint = '';
  /** Every GetSecretValue request, as `{ SecretId, VersionStage }`. */
  readonly requests: Array<{ SecretId?: string; VersionStage?: string }> = [];
  /** When set, every request fails with this error type (e.g. `InternalServiceError`). */
  failWith?: string;
  private readonly secrets = new Map<string, Version[]>();
  private nextVersion = 1;
  private readonly http: Server;

  private constructor() {
    this.http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${this.requests.length}` });
          res.end(JSON.stringify(body));
        };
        const target = req.headers['x-amz-target'];
        if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
          return send(400, { __type: 'InvalidRequestException', message: `unsupported operation ${String(target)}` });
        }
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string; VersionStage?: string };
        this.requests.push(input);
        if (this.failWith) return send(500, { __type: this.failWith, message: 'injected failure' });
        const versions = this.secrets.get(input.SecretId ?? '');
        const stage = input.VersionStage ?? 'AWSCURRENT';
        const version = versions?.find((v) => v.stages.includes(stage));
        if (!versions || !version) {
          return send(400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret value for staging label: ${stage}` });
        }
        return send(200, {
          ARN: input.SecretId,
          Name: input.SecretId,
          VersionId: version.id,
          SecretString: version.value,
          VersionStages: version.stages,
          CreatedDate: 1700000000,
        });
      });
    });
  }

  /** Creates a secret whose AWSCURRENT version is `value`. */
  put(secretId: string, value: string): void {
    this.secrets.set(secretId, [{ id: `v${this.nextVersion++}`, value, stages: ['AWSCURRENT'] }]);
  }

  /** A finished rotation: `value` becomes AWSCURRENT, the old current AWSPREVIOUS. */
  rotate(secretId: string, value: string): void {
    const versions = this.secrets.get(secretId)!;
    for (const v of versions) v.stages = v.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : [];
    versions.push({ id: `v${this.nextVersion++}`, value, stages: ['AWSCURRENT'] });
  }

  /** A rotation in progress: `value` is AWSPENDING, AWSCURRENT unchanged. */
  stagePending(secretId: string, value: string): void {
    this.secrets.get(secretId)!.push({ id: `v${this.nextVersion++}`, value, stages: ['AWSPENDING'] });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.http.closeAllConnections();
      this.http.close(() => resolve());
    });
  }
}
