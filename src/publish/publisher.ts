/**
 * How an approved post reaches its platform. lastgate never calls WeChat or
 * Weibo itself: the manual publisher records the URL the editor reports; the
 * webhook publisher hands the exact approved version to the account's own
 * publishing system and records the URL it answers with.
 *
 * The publisher is called before the publication is recorded (it may fail, and
 * then nothing is recorded). Should lastgate stop between the two, or the same
 * version be published twice at once from two servers, the publishing system
 * sees the same `idempotencyKey` (also sent as the `Idempotency-Key` header)
 * and can refuse the second post: one key per post version.
 */
import { signPayload } from '../webhooks/delivery.js';

export interface PublishRequest {
  postId: string;
  version: number;
  /** `lastgate:<post id>:v<version>`: the same for every attempt to publish this version. */
  idempotencyKey: string;
  account: string;
  platform: string | null;
  title: string | null;
  body: string;
  /** URL reported by the editor (manual publishing). */
  url?: string;
}

export interface PublishResult {
  url: string | null;
  platform: string | null;
}

export interface Publisher {
  readonly kind: 'manual' | 'webhook';
  publish(req: PublishRequest): Promise<PublishResult>;
}

/** The idempotency key of a post version (see the module comment). */
export function publishKey(postId: string, version: number): string {
  return `lastgate:${postId}:v${version}`;
}

export class ManualPublisher implements Publisher {
  readonly kind = 'manual' as const;
  async publish(req: PublishRequest): Promise<PublishResult> {
    return { url: req.url ?? null, platform: req.platform };
  }
}

export class WebhookPublisher implements Publisher {
  readonly kind = 'webhook' as const;
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async publish(req: PublishRequest): Promise<PublishResult> {
    const body = JSON.stringify({ event: 'post.publish', ...req });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': req.idempotencyKey,
        'x-lastgate-timestamp': timestamp,
        'x-lastgate-signature': signPayload(this.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`publisher answered HTTP ${res.status}: ${text.slice(0, 200)}`);
    let url: string | null = null;
    try {
      const j = JSON.parse(text) as { url?: unknown };
      if (typeof j.url === 'string') url = j.url;
    } catch {
      // a publisher may answer without a body
    }
    return { url, platform: req.platform };
  }
}
