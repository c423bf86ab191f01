import { createHash, randomUUID } from 'node:crypto';
import { createClient, ErrorReply, type RedisClientType } from '@redis/client';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { IdentityTenantRows } from '../tenant-rows.js';
import {
  DEFAULT_SESSION_POLICY,
  isWellFormedSessionToken,
  LAST_SEEN_GRANULARITY_SECONDS,
  newSessionToken,
  SessionStore,
  sessionTokenHash,
  DEVICE_ID_MAX_LENGTH,
  USER_AGENT_MAX_LENGTH,
  type ActiveSession,
  type ExpiredSession,
  type AuthMethod,
  type NewSession,
  type ResolvedSession,
  type SessionPolicy,
} from './session-store.js';

export const DEFAULT_REDIS_KEY_PREFIX = 'veilig:';

export interface RedisSessionStoreOptions {
  /** Put before every key, so one Redis can serve several deployments (or test runs) apart. */
  readonly keyPrefix?: string;
  readonly policy?: SessionPolicy;
}

/** Who may use the session now: decided in PostgreSQL at every use, never copied into Redis. */
interface AccessRow {
  department: string | null;
  access_version: string;
  idp_subject: string | null;
  display_name: string | null;
  email: string | null;
}

/**
 * One query by (tenant, user), in that tenant's context (users is under row-level security): the
 * tenant is active, the client is inside its IP allow-list (SV-4), and the user still exists, with what authorization and the audit trail need. Reading it
 * here at every request is what makes a suspension or a changed allow-list count at once, exactly
 * as with the sessions in PostgreSQL.
 */
const ACCESS_SQL = `SELECT u.department, t.access_version, u.idp_subject, u.display_name, u.email
   FROM users u JOIN tenants t ON t.id = u.tenant_id
  WHERE u.tenant_id = $1 AND u.id = $2 AND t.status = 'active'
    AND (coalesce(cardinality(t.ip_allow_list), 0) = 0 OR $3::inet <<= ANY(t.ip_allow_list))`;

interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

function luaScript(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Milliseconds on Redis's own clock, the one its expiry runs on, so no replica's clock matters. */
const LUA_NOW = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/** Index keys live as long as their longest-lived entry; this only ever lengthens that. */
const LUA_KEEP_UNTIL = `local function keep_until(key, at)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 or now + ttl < at then redis.call('PEXPIREAT', key, at) end
end`;

/**
 * KEYS: record, id pointer, user index, tenant index. ARGV: token hash, idle ms, absolute ms,
 * then the record's other fields as name, value pairs. Returns the creation time. The indexes
 * drop entries whose session has ended on the way, so they stay as small as the live sessions.
 */
const CREATE = luaScript(`${LUA_NOW}
${LUA_KEEP_UNTIL}
local ends_at = now + tonumber(ARGV[3])
local idle_until = math.min(now + tonumber(ARGV[2]), ends_at)
redis.call('HSET', KEYS[1], 'createdAt', now, 'lastSeenAt', now, 'expiresAt', ends_at, unpack(ARGV, 4))
redis.call('PEXPIREAT', KEYS[1], idle_until)
redis.call('SET', KEYS[2], ARGV[1], 'PXAT', idle_until)
for i = 3, 4 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. now)
  redis.call('ZADD', KEYS[i], idle_until, ARGV[1])
  keep_until(KEYS[i], idle_until)
end
return now`);

/**
 * KEYS as CREATE. ARGV: token hash, idle ms, granularity ms. Records a use and moves the idle end
 * on, never past the absolute end. Does nothing for a session that ended meanwhile (so a use
 * cannot bring back a revoked one), nor when another replica recorded a use within the granularity.
 */
const TOUCH = luaScript(`local times = redis.call('HMGET', KEYS[1], 'lastSeenAt', 'expiresAt')
if not times[1] then return 0 end
${LUA_NOW}
${LUA_KEEP_UNTIL}
if now - tonumber(times[1]) < tonumber(ARGV[3]) then return 0 end
local idle_until = math.min(now + tonumber(ARGV[2]), tonumber(times[2]))
redis.call('HSET', KEYS[1], 'lastSeenAt', now)
redis.call('PEXPIREAT', KEYS[1], idle_until)
redis.call('PEXPIREAT', KEYS[2], idle_until)
for i = 3, 4 do
  redis.call('ZADD', KEYS[i], idle_until, ARGV[1])
  keep_until(KEYS[i], idle_until)
end
return 1`);

/**
 * KEYS: user index, tenant index, then record and id pointer of each session. ARGV: their token
 * hashes. Returns how many of them were still live, so of two replicas ending one session at the
 * same moment only one reports (and audits) it.
 */
const END = luaScript(`local ended = 0
for i, hash in ipairs(ARGV) do
  ended = ended + redis.call('DEL', KEYS[2 * i + 1])
  redis.call('DEL', KEYS[2 * i + 2])
  redis.call('ZREM', KEYS[1], hash)
  redis.call('ZREM', KEYS[2], hash)
end
return ended`);

/** KEYS: an index. Drops the entries whose session has ended and returns the rest. */
const LIVE_MEMBERS = luaScript(`${LUA_NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
return redis.call('ZRANGE', KEYS[1], 0, -1)`);

/**
 * Sessions in Redis (SESSION_STORE=redis), for deployments that want the per-request session
 * lookup off PostgreSQL. Key layout (docs/identity.md, "Sessions in Redis"), after the prefix:
 *
 * - `session:<SHA-256 of the token, hex>`: the record (a hash); it expires at its idle end,
 *   which a use moves on (at most once a minute), never past its absolute end.
 * - `session-id:<id>`: the token hash of a session by its public id, expiring with it.
 * - `user-sessions:<tenant>:<user>` and `tenant-sessions:<tenant>`: sorted sets of token hashes,
 *   scored by each session's idle end, for listing and for ending them all.
 *
 * The token itself is never stored. Who may use a session is still decided in PostgreSQL at every
 * request (ACCESS_SQL). Ending a session deletes its record, so every replica refuses it on its
 * very next request. Redis must not evict keys (maxmemory-policy noeviction): an evicted index
 * entry would be a session that "log out everywhere" misses.
 */
export class RedisSessionStore extends SessionStore {
  private readonly keyPrefix: string;
  private readonly policy: SessionPolicy;
  private readonly tenantRows: IdentityTenantRows;

  constructor(
    private readonly redis: RedisClientType,
    dataSource: DataSource,
    options: RedisSessionStoreOptions = {},
  ) {
    super();
    this.tenantRows = new IdentityTenantRows(dataSource);
    this.keyPrefix = options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
    this.policy = options.policy ?? DEFAULT_SESSION_POLICY;
  }

  /** Redis lets an idle record expire by itself and says nothing, so there is no logoff to record here (docs/identity.md). */
  async endExpired(): Promise<ExpiredSession[]> {
    return [];
  }

  async create(session: NewSession): Promise<{ token: string; session: ActiveSession }> {
    const token = newSessionToken();
    const tokenHash = hexHash(token);
    const id = randomUUID();
    const userAgent = session.userAgent?.slice(0, USER_AGENT_MAX_LENGTH);
    const deviceId = session.deviceId?.slice(0, DEVICE_ID_MAX_LENGTH);
    const optional = { idpSessionId: session.idpSessionId, clientIp: session.clientIp, userAgent, deviceId, idpLogoutSealed: session.idpLogoutSealed };
    const fields = [
      ['id', id],
      ['userId', session.userId],
      ['tenantId', session.tenantId],
      ['authMethod', session.authMethod],
      ...Object.entries(optional).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ];
    const createdAt = Number(
      await this.run(CREATE, this.sessionKeys(tokenHash, id, session.tenantId, session.userId), [
        tokenHash,
        String(this.policy.idleTimeoutMs),
        String(this.policy.absoluteTimeoutMs),
        ...fields.flat(),
      ]),
    );
    return {
      token,
      session: {
        id,
        userId: session.userId,
        tenantId: session.tenantId,
        authMethod: session.authMethod,
        idpSessionId: session.idpSessionId ?? null,
        clientIp: session.clientIp ?? null,
        userAgent: userAgent ?? null,
        deviceId: deviceId ?? null,
        createdAt: new Date(createdAt),
        lastSeenAt: new Date(createdAt),
        expiresAt: new Date(createdAt + this.policy.absoluteTimeoutMs),
      },
    };
  }

  /**
   * One Redis round trip and one PostgreSQL query; a second round trip to Redis only when the
   * last recorded use is over a minute old, and only for a session PostgreSQL still admits.
   */
  async resolve(token: string, clientIp: string): Promise<ResolvedSession | undefined> {
    if (!isWellFormedSessionToken(token)) return undefined;
    const tokenHash = hexHash(token);
    const [fields, clock] = await this.redis.multi().hGetAll(this.recordKey(tokenHash)).time().execTyped();
    const now = millisecondsOf(clock);
    const session = toSession(fields);
    // The expiry already removed such a record; checking the policy too keeps a record whose
    // expiry was lost (or a policy shortened since) from living on.
    if (!session || !this.isLive(session, now)) return undefined;
    const access = (await this.tenantRows.query<AccessRow>(session.tenantId, ACCESS_SQL, [session.tenantId, session.userId, clientIp]))[0];
    if (!access) return undefined;
    if (now - session.lastSeenAt.getTime() >= LAST_SEEN_GRANULARITY_SECONDS * 1000) {
      await this.run(TOUCH, this.sessionKeys(tokenHash, session.id, session.tenantId, session.userId), [
        tokenHash,
        String(this.policy.idleTimeoutMs),
        String(LAST_SEEN_GRANULARITY_SECONDS * 1000),
      ]);
    }
    return {
      ...session,
      department: access.department,
      accessVersion: access.access_version,
      user: { idpSubject: access.idp_subject, displayName: access.display_name, email: access.email },
    };
  }

  async revoke(token: string): Promise<(ActiveSession & { readonly idpLogoutSealed: string | null }) | undefined> {
    const tokenHash = hexHash(token);
    const fields = await this.redis.hGetAll(this.recordKey(tokenHash));
    const session = toSession(fields);
    if (!session || (await this.end(session.tenantId, session.userId, [{ tokenHash, id: session.id }])) === 0) return undefined;
    return { ...session, idpLogoutSealed: fields['idpLogoutSealed'] ?? null };
  }

  async revokeById(tenantId: string, sessionId: string): Promise<boolean> {
    const tokenHash = await this.redis.get(this.idKey(sessionId));
    if (!tokenHash) return false;
    const session = toSession(await this.redis.hGetAll(this.recordKey(tokenHash)));
    if (!session || session.tenantId !== tenantId) return false;
    return (await this.end(tenantId, session.userId, [{ tokenHash, id: sessionId }])) > 0;
  }

  async revokeAllOfUser(tenantId: string, userId: string): Promise<number> {
    const tokenHashes = await this.redis.zRange(this.userIndexKey(tenantId, userId), 0, -1);
    const ids = await Promise.all(tokenHashes.map((tokenHash) => this.redis.hGet(this.recordKey(tokenHash), 'id')));
    const live = tokenHashes.flatMap((tokenHash, index) => {
      const id = ids[index];
      return id ? [{ tokenHash, id }] : [];
    });
    const gone = tokenHashes.filter((_, index) => !ids[index]);
    if (gone.length > 0) {
      await Promise.all([this.redis.zRem(this.userIndexKey(tenantId, userId), gone), this.redis.zRem(this.tenantIndexKey(tenantId), gone)]);
    }
    return live.length > 0 ? this.end(tenantId, userId, live) : 0;
  }

  async listActive(tenantId: string, userId?: string): Promise<ActiveSession[]> {
    const index = userId ? this.userIndexKey(tenantId, userId) : this.tenantIndexKey(tenantId);
    const tokenHashes = stringsOf(await this.run(LIVE_MEMBERS, [index], []));
    const [clock, records] = await Promise.all([
      this.redis.time(),
      Promise.all(tokenHashes.map((tokenHash) => this.redis.hGetAll(this.recordKey(tokenHash)))),
    ]);
    const now = millisecondsOf(clock);
    const sessions = records.map(toSession);
    // Entries whose record is gone although their score said otherwise (deleted by hand, or a
    // Redis that evicts after all) are dropped here, so the index cannot grow with them.
    const orphans = tokenHashes.filter((_, position) => !sessions[position]);
    if (orphans.length > 0) await this.redis.zRem(index, orphans);
    return sessions
      .filter((session): session is ActiveSession => session !== undefined && this.isLive(session, now))
      .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
  }

  private isLive(session: ActiveSession, now: number): boolean {
    return now < session.expiresAt.getTime() && now - session.lastSeenAt.getTime() < this.policy.idleTimeoutMs;
  }

  /** Ends sessions of one user; returns how many were still live. */
  private async end(tenantId: string, userId: string, sessions: ReadonlyArray<{ tokenHash: string; id: string }>): Promise<number> {
    const keys = [this.userIndexKey(tenantId, userId), this.tenantIndexKey(tenantId), ...sessions.flatMap(({ tokenHash, id }) => [this.recordKey(tokenHash), this.idKey(id)])];
    return Number(await this.run(END, keys, sessions.map(({ tokenHash }) => tokenHash)));
  }

  /** Every key a script may touch is passed to it, as Redis asks, rather than built inside it. */
  private sessionKeys(tokenHash: string, id: string, tenantId: string, userId: string): string[] {
    return [this.recordKey(tokenHash), this.idKey(id), this.userIndexKey(tenantId, userId), this.tenantIndexKey(tenantId)];
  }

  private recordKey(tokenHash: string): string {
    return `${this.keyPrefix}session:${tokenHash}`;
  }

  private idKey(id: string): string {
    return `${this.keyPrefix}session-id:${id}`;
  }

  private userIndexKey(tenantId: string, userId: string): string {
    return `${this.keyPrefix}user-sessions:${tenantId}:${userId}`;
  }

  private tenantIndexKey(tenantId: string): string {
    return `${this.keyPrefix}tenant-sessions:${tenantId}`;
  }

  private async run(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    const options = { keys, arguments: args };
    try {
      return await this.redis.evalSha(script.sha1, options);
    } catch (error) {
      // Redis forgets its scripts when it restarts or fails over; the call after that sends the source.
      if (error instanceof ErrorReply && error.message.startsWith('NOSCRIPT')) return this.redis.eval(script.source, options);
      throw error;
    }
  }
}

/**
 * The Redis client the session store runs on. The first connection must succeed, so a start
 * without its session store fails at once instead of waiting; a connection lost later is retried
 * with back-off, and meanwhile commands fail instead of queueing: a request whose session cannot
 * be checked is refused, not held. Warns when Redis may evict keys (docs/identity.md).
 */
export async function connectSessionRedis(url: string, logger: Logger): Promise<RedisClientType> {
  let connected = false;
  const client: RedisClientType = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries, cause) => (connected ? Math.min(100 * 2 ** retries, 5_000) : cause) },
  });
  client.on('error', (error: unknown) => logger.warn({ err: error }, 'session store: Redis connection error'));
  await client.connect();
  connected = true;
  await warnUnlessNoEviction(client, logger);
  return client;
}

async function warnUnlessNoEviction(client: RedisClientType, logger: Logger): Promise<void> {
  try {
    const policy = (await client.configGet('maxmemory-policy'))['maxmemory-policy'];
    if (policy !== 'noeviction') {
      logger.warn(
        { maxmemoryPolicy: policy },
        'session store: Redis may evict keys; set maxmemory-policy to noeviction, or "log out everywhere" can miss a session whose index entry was evicted',
      );
    }
  } catch (error) {
    // Managed Redis services often refuse CONFIG; the operator then has to check it there.
    logger.warn({ err: error }, 'session store: could not read the Redis maxmemory-policy; make sure it is noeviction');
  }
}

/** A TIME reply (seconds, microseconds) in milliseconds. */
function millisecondsOf(clock: readonly string[]): number {
  return Number(clock[0]) * 1000 + Math.floor(Number(clock[1]) / 1000);
}

function hexHash(token: string): string {
  return sessionTokenHash(token).toString('hex');
}

function toSession(fields: Record<string, string>): ActiveSession | undefined {
  const { id, userId, tenantId, authMethod, createdAt, lastSeenAt, expiresAt } = fields;
  if (!id || !userId || !tenantId || !authMethod || !createdAt || !lastSeenAt || !expiresAt) return undefined;
  return {
    id,
    userId,
    tenantId,
    authMethod: authMethod as AuthMethod,
    idpSessionId: fields['idpSessionId'] ?? null,
    clientIp: fields['clientIp'] ?? null,
    userAgent: fields['userAgent'] ?? null,
    deviceId: fields['deviceId'] ?? null,
    createdAt: new Date(Number(createdAt)),
    lastSeenAt: new Date(Number(lastSeenAt)),
    expiresAt: new Date(Number(expiresAt)),
  };
}

function stringsOf(reply: unknown): string[] {
  if (!Array.isArray(reply) || !reply.every((item): item is string => typeof item === 'string')) {
    throw new TypeError('unexpected reply from Redis: expected a list of strings');
  }
  return reply;
}
