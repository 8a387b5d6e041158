/**
 * A small OAuth 2.1 authorization server on 127.0.0.1 for tests: real keys made by
 * jose, real signed JWT access tokens, served over real sockets.
 *
 * - `GET /.well-known/oauth-authorization-server`: RFC 8414 metadata (issuer = base URL).
 * - `GET /jwks`: the JWK Set of the signing keys (it counts the fetches).
 * - `POST /token`: the `client_credentials` grant with `client_secret_basic` (or
 *   `client_secret_post`); the token's `sub` is the client id, `aud` the RFC 8707
 *   `resource` parameter, `scope` the requested scopes (or the client's default).
 * - `sign(claims, options)`: a token with any claims and header, signed by a key of the
 *   server or another one, for the refusal cases.
 *
 * Test files must map jose to CommonJS first (test/support/jose-commonjs.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CryptoKey, JWK, JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
import { jose } from '../../lambda-src/http/jose-module';

export interface TestClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes granted when the request names none. */
  readonly defaultScope?: string;
}

export interface TokenRequestRecord {
  readonly grantType?: string;
  readonly clientId?: string;
  readonly resource?: string;
  readonly scope?: string;
}

export interface SignOptions {
  /** @default 'RS256' */
  readonly alg?: 'RS256' | 'ES256';
  /** @default the key's kid */
  readonly kid?: string;
  /** @default 1 hour */
  readonly expiresInSeconds?: number;
  /** Sign with a key the JWKS does not publish (still naming `kid`). */
  readonly foreignKey?: boolean;
}

interface KeyEntry {
  readonly alg: 'RS256' | 'ES256';
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface TestAuthorizationServerOptions {
  /**
   * Behave like Amazon Cognito's discovery: metadata only as OpenID Connect discovery
   * (`/.well-known/openid-configuration`), without `code_challenge_methods_supported`.
   */
  readonly oidcDiscoveryOnly?: boolean;
}

export class TestAuthorizationServer {
  static async start(clients: readonly TestClient[] = [], options: TestAuthorizationServerOptions = {}): Promise<TestAuthorizationServer> {
    const keys: KeyEntry[] = [];
    for (const [alg, kid] of [['RS256', 'rsa-1'], ['ES256', 'ec-1']] as const) {
      const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
      keys.push({ alg, kid, privateKey, publicJwk: { ...await jose.exportJWK(publicKey), kid, alg, use: 'sig' } });
    }
    const foreign = await jose.generateKeyPair('RS256');
    const server = new TestAuthorizationServer(keys, foreign.privateKey, clients, options);
    await server.listen();
    return server;
  }

  /** `http://127.0.0.1:<port>`: the issuer. */
  issuer = '';
  jwksFetches = 0;
  metadataFetches = 0;
  readonly tokenRequests: TokenRequestRecord[] = [];
  /** Every access token the token endpoint issued, to look for leaks. */
  readonly issued: string[] = [];
  private readonly http: Server;

  private constructor(
    private readonly keys: readonly KeyEntry[],
    private readonly foreignKey: CryptoKey,
    private readonly clients: readonly TestClient[],
    private readonly options: TestAuthorizationServerOptions,
  ) {
    this.http = createServer((req, res) => {
      void this.serve(req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'server_error', error_description: String(err) }));
      });
    });
  }

  get jwksUri(): string {
    return `${this.issuer}/jwks`;
  }

  /** The RSA public key as a JWK (for the HS256-with-the-public-key attack). */
  get rsaPublicJwk(): JWK {
    return this.keys[0].publicJwk;
  }

  async sign(claims: JWTPayload, options: SignOptions = {}): Promise<string> {
    const entry = this.keys.find((k) => k.alg === (options.alg ?? 'RS256'))!;
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = { iat: now, exp: now + (options.expiresInSeconds ?? 3600), ...claims };
    return new jose.SignJWT(payload)
      .setProtectedHeader({ alg: entry.alg, kid: options.kid ?? entry.kid, typ: 'at+jwt' })
      .sign(options.foreignKey ? this.foreignKey : entry.privateKey);
  }

  /** Signs exactly `payload` (no `iat`/`exp` added) with the server's RSA key. */
  async signRaw(payload: JWTPayload): Promise<string> {
    const entry = this.keys[0];
    return new jose.SignJWT(payload).setProtectedHeader({ alg: entry.alg, kid: entry.kid }).sign(entry.privateKey);
  }

  /**
   * An access token for `client` with `resource` as its audience, fetched from the token
   * endpoint over HTTP as a client would (`client_credentials`, `client_secret_basic`):
   * for raw requests, where no SDK auth provider asks for one.
   */
  async tokenFor(client: TestClient, resource: string): Promise<string> {
    const res = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'authorization': `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource }).toString(),
    });
    return (await res.json() as { access_token: string }).access_token;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.http.closeAllConnections();
      this.http.close(() => resolve());
    });
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    const metadataPath = this.options.oidcDiscoveryOnly ? '/.well-known/openid-configuration' : '/.well-known/oauth-authorization-server';
    if (req.method === 'GET' && url.pathname === metadataPath) {
      this.metadataFetches++;
      return json(res, 200, {
        issuer: this.issuer,
        token_endpoint: `${this.issuer}/token`,
        authorization_endpoint: `${this.issuer}/authorize`,
        jwks_uri: this.jwksUri,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        response_types_supported: ['code'],
        ...(this.options.oidcDiscoveryOnly
          // What OpenID Connect discovery requires, and no PKCE field (as Cognito publishes it).
          ? { subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] }
          : { code_challenge_methods_supported: ['S256'] }),
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') {
      this.jwksFetches++;
      return json(res, 200, { keys: this.keys.map((k) => k.publicJwk) });
    }
    if (req.method === 'POST' && url.pathname === '/token') return this.token(req, res);
    return json(res, 404, { error: 'not_found' });
  }

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id);
      clientSecret = decodeURIComponent(secret ?? '');
    }
    const record: TokenRequestRecord = {
      grantType: form.get('grant_type') ?? undefined,
      clientId,
      resource: form.get('resource') ?? undefined,
      scope: form.get('scope') ?? undefined,
    };
    this.tokenRequests.push(record);
    if (record.grantType !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
    const client = this.clients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
    if (!client) return json(res, 401, { error: 'invalid_client' });
    const scope = record.scope ?? client.defaultScope;
    const accessToken = await this.sign({
      iss: this.issuer,
      sub: client.clientId,
      client_id: client.clientId,
      ...(record.resource ? { aud: record.resource } : {}),
      ...(scope ? { scope } : {}),
    });
    this.issued.push(accessToken);
    return json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, ...(scope ? { scope } : {}) });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
