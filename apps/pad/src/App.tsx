import { useCallback, useEffect, useRef, useState } from 'react';
import {
  adjustClock,
  ApiError,
  exchangePairingCode,
  type HeartbeatReply,
  NetworkError,
  type Prompt,
  type RatingTag,
  ratingTags,
  serverNow,
  signedJson,
} from './api';
import { TAG_LABELS } from '../../../libs/contracts/src/labels';
import { Face, isBadLevel, type Level, LEVELS } from './faces';
import { Keypad } from './keypad';
import { watchPrompts } from './prompts';
import { flushQueue } from './queue';
import {
  clearCredentials,
  type Credentials,
  enqueue,
  loadCredentials,
  queueLength,
  type RatingBody,
  rejectedCount,
  saveCredentials,
} from './store';

const APP_VERSION = __APP_VERSION__;
const PAIRING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'.split('');
const PHONE_DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
const THANKS_MS = 5_000;
/** The details screen is cleared after this long without a touch (60 s; `?idle=<seconds>` on the page URL, 1–600, for tests). */
const IDLE_MS = idleMsFrom(new URLSearchParams(window.location.search).get('idle'));
/** The last seconds of the idle countdown are announced to screen readers and shown as a warning. */
const IDLE_WARN_MS = Math.min(10_000, Math.ceil(IDLE_MS / 2000) * 1000);
const RETRY_UPLOAD_MS = 15_000;
/** A walk-in rating (no prompt from the window) is filed under this service item. */
const WALK_IN_ITEM = { serviceItemCode: 'WALK-IN', serviceItemName: '窗口现场评价' };
/** The tags until GET /rating-tags answers (and offline): the same labels, from their one home. */
const FALLBACK_TAGS: RatingTag[] = Object.entries(TAG_LABELS).map(([code, label]) => ({ code, label }));

/** The service a citizen rates: the prompt shown when they began (null: a walk-in rating). */
type RatedService = Prompt | null;

type Screen =
  | { name: 'boot' }
  | { name: 'pairing' }
  | { name: 'refused'; reason: 'revoked' | 'invalid' }
  | { name: 'rate' }
  /** `session` keys the screen: every citizen starts with an empty form. */
  | { name: 'details'; level: Level; service: RatedService; session: number }
  | { name: 'thanks'; level: number };

function idleMsFrom(param: string | null): number {
  const seconds = Number(param);
  return param !== null && Number.isInteger(seconds) && seconds >= 1 && seconds <= 600 ? seconds * 1000 : 60_000;
}

export function App() {
  const [screen, setScreen] = useState<Screen>({ name: 'boot' });
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const [prompt, setPrompt] = useState<Prompt | null>(null);
  const [tags, setTags] = useState<RatingTag[]>(FALLBACK_TAGS);
  const [online, setOnline] = useState(navigator.onLine);
  const [queue, setQueue] = useState({ waiting: 0, rejected: 0 });
  const [streaming, setStreaming] = useState(false);
  const rated = useRef(new Set<string>());
  const sessions = useRef(0);
  /** A rating being filed: a second tap before the thank-you screen files nothing more. */
  const filing = useRef(false);

  const refused = useCallback((error: ApiError) => {
    setScreen({ name: 'refused', reason: error.code === 'DEVICE_REVOKED' ? 'revoked' : 'invalid' });
  }, []);

  const refreshQueue = useCallback(async () => {
    const [waiting, rejected] = await Promise.all([queueLength(), rejectedCount()]);
    setQueue({ waiting, rejected });
    return { waiting, rejected };
  }, []);

  /** Uploads the queue; tells the page whether the server was reached. */
  const upload = useCallback(
    async (creds: Credentials) => {
      try {
        await flushQueue(creds);
        setOnline(true);
      } catch (err) {
        if (err instanceof NetworkError) setOnline(false);
        else if (err instanceof ApiError && err.status === 401 && err.code !== 'TIMESTAMP_SKEW') refused(err);
      } finally {
        await refreshQueue();
      }
    },
    [refused, refreshQueue],
  );

  useEffect(() => {
    void (async () => {
      const stored = await loadCredentials();
      await refreshQueue();
      setCredentials(stored);
      setScreen(stored ? { name: 'rate' } : { name: 'pairing' });
    })();
    ratingTags().then(setTags, () => undefined);
  }, [refreshQueue]);

  // While paired: the prompt stream, heartbeats, and uploads when the network returns.
  const refusedNow = screen.name === 'refused';
  useEffect(() => {
    if (!credentials || refusedNow) return;
    const stopPrompts = watchPrompts(credentials, {
      onPrompt: (p) => {
        if (!rated.current.has(p.serviceRecordId) && Date.parse(p.expiresAt) > serverNow().getTime()) setPrompt(p);
      },
      onConnected: (connected) => {
        setStreaming(connected);
        if (connected) setOnline(true);
      },
      onRefused: refused,
    });
    let timer: number | undefined;
    let stopped = false;
    const beat = async () => {
      let next = RETRY_UPLOAD_MS;
      try {
        const counts = await refreshQueue();
        const reply = await signedJson<HeartbeatReply>(credentials, 'POST', '/api/v1/pad/heartbeat', {
          queueLength: counts.waiting,
          rejectedCount: counts.rejected,
          appVersion: APP_VERSION,
        });
        adjustClock(reply.serverTime);
        next = reply.nextHeartbeatInMs;
        setOnline(true);
        if (counts.waiting > 0) await upload(credentials);
      } catch (err) {
        if (err instanceof NetworkError) setOnline(false);
        else if (err instanceof ApiError && err.status === 401 && err.code !== 'TIMESTAMP_SKEW') {
          refused(err);
          return;
        }
      }
      if (!stopped) timer = window.setTimeout(() => void beat(), next);
    };
    void beat();
    const onOnline = () => void upload(credentials);
    const onOffline = () => setOnline(false);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    const retry = window.setInterval(() => {
      void queueLength().then((n) => (n > 0 ? upload(credentials) : undefined));
    }, RETRY_UPLOAD_MS);
    return () => {
      stopped = true;
      stopPrompts();
      window.clearTimeout(timer);
      window.clearInterval(retry);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
    };
  }, [credentials, refusedNow, refused, refreshQueue, upload]);

  // The thank-you screen returns to waiting by itself.
  useEffect(() => {
    if (screen.name !== 'thanks') return;
    const timer = window.setTimeout(() => setScreen({ name: 'rate' }), THANKS_MS);
    return () => window.clearTimeout(timer);
  }, [screen]);

  /**
   * Files the rating under the service shown when the citizen began (`item`), whatever prompt arrived since;
   * a newer prompt stays for the next citizen.
   */
  const submit = async (item: RatedService, level: number, details: { tags: string[]; comment: string; phone: string } | null) => {
    if (!credentials || filing.current) return;
    filing.current = true;
    const rating: RatingBody = {
      serviceRecordId: item?.serviceRecordId ?? `WALKIN-${credentials.windowNo}-${crypto.randomUUID()}`.slice(0, 64),
      serviceItemCode: item?.serviceItemCode ?? WALK_IN_ITEM.serviceItemCode,
      serviceItemName: item?.serviceItemName ?? (item ? undefined : WALK_IN_ITEM.serviceItemName),
      staffId: item?.staffId ?? undefined,
      level,
      ratedAt: serverNow().toISOString(),
    };
    if (details?.tags.length) rating.tags = details.tags;
    if (details?.comment.trim()) rating.comment = details.comment.trim();
    if (details?.phone) rating.reviewer = { phone: details.phone };
    for (const key of Object.keys(rating) as Array<keyof RatingBody>) if (rating[key] === undefined) delete rating[key];
    rated.current.add(rating.serviceRecordId);
    try {
      await enqueue(credentials.deviceId, rating);
    } catch (err) {
      filing.current = false;
      throw err;
    }
    setPrompt((current) => (current && rated.current.has(current.serviceRecordId) ? null : current));
    setScreen({ name: 'thanks', level });
    filing.current = false;
    await refreshQueue();
    void upload(credentials);
  };

  const paired = async (creds: Credentials) => {
    await saveCredentials(creds);
    setCredentials(creds);
    setScreen({ name: 'rate' });
  };

  const unpair = async () => {
    await clearCredentials();
    setCredentials(null);
    setPrompt(null);
    setScreen({ name: 'pairing' });
  };

  return (
    // data-stream and data-prompt (the newest prompt received, which waits while a citizen rates another) are for diagnosis.
    <div className={`app screen-${screen.name}`} data-stream={streaming ? 'open' : 'closed'} data-prompt={prompt?.serviceRecordId ?? ''}>
      <header className="topbar">
        <div className="title">
          <strong>{credentials ? credentials.unitName : '政务服务“好差评”'}</strong>
          {credentials && <span className="window">窗口 {credentials.windowNo}</span>}
        </div>
        {credentials && (
          <div className="status" role="status" aria-live="polite">
            {screen.name === 'refused' ? (
              <span className="pill offline">已停用</span>
            ) : (
              <span className={`pill ${online ? 'ok' : 'offline'}`}>{online ? '在线' : '离线'}</span>
            )}
            <span className={`pill ${queue.waiting ? 'warn' : ''}`} data-testid="queue-indicator">
              待上传 {queue.waiting}
            </span>
            {queue.rejected > 0 && (
              <span className="pill bad" data-testid="rejected-indicator">
                未通过 {queue.rejected}
              </span>
            )}
          </div>
        )}
      </header>
      <main className="content">
        {screen.name === 'boot' && <p className="hint">正在启动…</p>}
        {screen.name === 'pairing' && <PairingScreen onPaired={paired} />}
        {screen.name === 'refused' && <RefusedScreen reason={screen.reason} onRepair={unpair} />}
        {screen.name === 'rate' && (
          <RateScreen
            prompt={prompt}
            onRate={(level, shown) =>
              level.bad
                ? setScreen({ name: 'details', level, service: shown, session: ++sessions.current })
                : void submit(shown, level.level, null)
            }
          />
        )}
        {screen.name === 'details' && (
          <DetailsScreen
            key={screen.session}
            level={screen.level}
            service={screen.service}
            tags={tags}
            idleMs={IDLE_MS}
            onBack={() => setScreen({ name: 'rate' })}
            onSubmit={(details) => void submit(screen.service, screen.level.level, details)}
          />
        )}
        {screen.name === 'thanks' && <ThanksScreen level={screen.level} onDone={() => setScreen({ name: 'rate' })} />}
      </main>
    </div>
  );
}

function PairingScreen({ onPaired }: { onPaired: (creds: Credentials) => Promise<void> }) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const pair = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const device = await exchangePairingCode(code);
      await onPaired({ ...device, pairedAt: new Date().toISOString() });
    } catch (err) {
      setMessage(pairingMessage(err));
      setBusy(false);
    }
  };
  return (
    <section className="pairing" aria-labelledby="pairing-title">
      <div className="pairing-intro">
        <h1 id="pairing-title">评价器配对</h1>
        <p>请输入管理员提供的 8 位配对码（15 分钟内有效，只能使用一次）。</p>
        <div className="code" role="group" aria-label="配对码" data-testid="pairing-code">
          {Array.from({ length: 8 }, (_, i) => (
            <span key={i} className={`cell ${i === 4 ? 'gap' : ''}`}>
              {code[i] ?? ''}
            </span>
          ))}
        </div>
        {message && (
          <p className="error" role="alert">
            {message}
          </p>
        )}
        <button type="button" className="primary big" disabled={code.length !== 8 || busy} onClick={() => void pair()}>
          {busy ? '正在配对…' : '配对'}
        </button>
      </div>
      <Keypad
        keys={PAIRING_ALPHABET}
        columns={8}
        onKey={(k) => setCode((c) => (c.length < 8 ? c + k : c))}
        onDelete={() => setCode((c) => c.slice(0, -1))}
      />
    </section>
  );
}

function pairingMessage(err: unknown): string {
  if (err instanceof NetworkError) return '无法连接服务器，请检查网络后重试。';
  if (!(err instanceof ApiError)) return '配对失败，请重试。';
  switch (err.code) {
    case 'PAIRING_CODE_INVALID':
    case 'VALIDATION_FAILED':
      return '配对码不正确，请核对后重新输入。';
    case 'PAIRING_CODE_EXPIRED':
      return '配对码已过期，请向管理员索取新的配对码。';
    case 'PAIRING_CODE_USED':
      return '配对码已被使用，请向管理员索取新的配对码。';
    case 'DEVICE_REVOKED':
      return '该设备已停用，请联系管理员。';
    case 'RATE_LIMITED':
      return '尝试次数过多，请稍候一分钟再试。';
    default:
      return `配对失败（${err.code}），请重试。`;
  }
}

function RefusedScreen({ reason, onRepair }: { reason: 'revoked' | 'invalid'; onRepair: () => Promise<void> }) {
  return (
    <section className="refused" aria-labelledby="refused-title">
      <h1 id="refused-title">{reason === 'revoked' ? '本设备已停用' : '本设备的凭证已失效'}</h1>
      <p>
        {reason === 'revoked'
          ? '管理员已停用本评价器，暂时无法评价。请联系管理员获取新的配对码后重新配对。'
          : '本评价器的凭证已被替换（可能已在其他设备上重新配对）。请向管理员获取新的配对码后重新配对。'}
      </p>
      <button type="button" className="primary big" onClick={() => void onRepair()}>
        重新配对
      </button>
    </section>
  );
}

function RateScreen({ prompt, onRate }: { prompt: Prompt | null; onRate: (level: Level, shown: RatedService) => void }) {
  return (
    <section className="rate" aria-labelledby="rate-title">
      <h1 id="rate-title">请您对本次服务进行评价</h1>
      {prompt ? (
        <dl className="service" data-testid="prompt">
          <div>
            <dt>办理事项</dt>
            <dd>{prompt.serviceItemName ?? prompt.serviceItemCode}</dd>
          </div>
          {prompt.staffId && (
            <div>
              <dt>工号</dt>
              <dd>{prompt.staffId}</dd>
            </div>
          )}
        </dl>
      ) : (
        <p className="hint">感谢您来办事，您的评价将帮助我们改进服务</p>
      )}
      <div className="faces">
        {LEVELS.map((level) => (
          <button key={level.level} type="button" className="face-button" onClick={() => onRate(level, prompt)} aria-label={level.name}>
            <Face level={level} />
            <span className="face-label" style={{ color: level.color }}>
              {level.name}
            </span>
          </button>
        ))}
      </div>
    </section>
  );
}

/**
 * The idle clock of the details screen: any touch or key anywhere on the page starts it again; when it runs out,
 * `onIdle` clears the screen. Monotonic time (performance.now), so a clock correction cannot end it early.
 */
function useIdleCountdown(idleMs: number, onIdle: () => void): number {
  const [deadline, setDeadline] = useState(() => performance.now() + idleMs);
  const [now, setNow] = useState(() => performance.now());
  const idle = useRef(onIdle);
  idle.current = onIdle;
  useEffect(() => {
    const touched = () => {
      const at = performance.now();
      setNow(at);
      setDeadline(at + idleMs);
    };
    // Heard as they bubble, after React's own handlers: an update made before a controlled field's onChange
    // would re-render it with its old value and lose the character typed.
    const events = ['pointerdown', 'keydown', 'input', 'compositionupdate', 'wheel'] as const;
    for (const e of events) document.addEventListener(e, touched, { passive: true });
    const tick = window.setInterval(() => setNow(performance.now()), 250);
    return () => {
      for (const e of events) document.removeEventListener(e, touched);
      window.clearInterval(tick);
    };
  }, [idleMs]);
  useEffect(() => {
    const timer = window.setTimeout(() => idle.current(), Math.max(0, deadline - performance.now()));
    return () => window.clearTimeout(timer);
  }, [deadline]);
  return Math.max(0, deadline - now);
}

function DetailsScreen({
  level,
  service,
  tags,
  idleMs,
  onBack,
  onSubmit,
}: {
  level: Level;
  service: RatedService;
  tags: RatingTag[];
  idleMs: number;
  /** 返回, and the idle timeout: the form is dropped (the screen is keyed per citizen). */
  onBack: () => void;
  onSubmit: (details: { tags: string[]; comment: string; phone: string }) => void;
}) {
  const [chosen, setChosen] = useState<string[]>([]);
  const [comment, setComment] = useState('');
  const [phone, setPhone] = useState('');
  const [sent, setSent] = useState(false);
  const remainingMs = useIdleCountdown(idleMs, onBack);
  const seconds = Math.ceil(remainingMs / 1000);
  const warn = remainingMs <= IDLE_WARN_MS;
  const phoneValid = phone === '' || MAINLAND_MOBILE.test(phone);
  const toggle = (code: string) => setChosen((c) => (c.includes(code) ? c.filter((x) => x !== code) : [...c, code]));
  return (
    <section className="details" aria-labelledby="details-title">
      <div className="details-head">
        <Face level={level} />
        <div>
          <h1 id="details-title">
            您选择了“{level.name}”，请告诉我们哪里不满意<small>（可多选）</small>
          </h1>
          <dl className="rated-service" data-testid="rated-service">
            <div>
              <dt>评价事项</dt>
              <dd>{service ? (service.serviceItemName ?? service.serviceItemCode) : WALK_IN_ITEM.serviceItemName}</dd>
            </div>
            {service?.staffId && (
              <div>
                <dt>工号</dt>
                <dd>{service.staffId}</dd>
              </div>
            )}
          </dl>
        </div>
      </div>
      <div className="details-body">
        <div className="details-left">
          <div className="tags" role="group" aria-label="不满意的原因">
            {tags.map((tag) => (
              <button
                key={tag.code}
                type="button"
                className={`tag ${chosen.includes(tag.code) ? 'on' : ''}`}
                aria-pressed={chosen.includes(tag.code)}
                onClick={() => toggle(tag.code)}
              >
                {tag.label}
              </button>
            ))}
          </div>
          <label className="comment">
            <span>补充说明（选填）</span>
            <textarea value={comment} maxLength={500} rows={2} onChange={(e) => setComment(e.target.value)} placeholder="请简要说明情况" />
          </label>
        </div>
        <div className="details-right">
          <div className="phone">
            <div className="phone-head">
              <span id="phone-label">回访电话（选填）</span>
              {!phoneValid && <span className="error">请输入 11 位手机号码</span>}
            </div>
            <output aria-labelledby="phone-label" className={`phone-value ${phoneValid ? '' : 'invalid'}`} data-testid="phone">
              {phone || '—'}
            </output>
            <Keypad
              keys={PHONE_DIGITS}
              columns={6}
              onKey={(d) => setPhone((p) => (p.length < 11 ? p + d : p))}
              onDelete={() => setPhone((p) => p.slice(0, -1))}
            />
          </div>
          <p className="pipl" data-testid="pipl-notice">
            <strong>个人信息保护提示：</strong>
            手机号码仅用于本单位就您的评价进行回访核实、反馈整改结果，加密保存，仅经办人员可见，不作其他用途，不向第三方提供。不填写不影响提交评价。
          </p>
        </div>
      </div>
      <div className="actions">
        <div className={`idle ${warn ? 'warn' : ''}`}>
          <p role="timer" data-testid="idle-countdown">
            <strong>{seconds}</strong> 秒内无操作将清空本页
          </p>
          <p aria-live="polite" data-testid="idle-warning">
            {warn ? '即将清空，触摸屏幕可继续' : ''}
          </p>
        </div>
        <button type="button" className="secondary big" onClick={onBack}>
          返回
        </button>
        <button
          type="button"
          className="primary big"
          disabled={!phoneValid || sent}
          onClick={() => {
            setSent(true);
            onSubmit({ tags: chosen, comment, phone });
          }}
        >
          提交评价
        </button>
      </div>
    </section>
  );
}

function ThanksScreen({ level, onDone }: { level: number; onDone: () => void }) {
  return (
    <section className="thanks" aria-labelledby="thanks-title" onClick={onDone}>
      <h1 id="thanks-title">感谢您的评价！</h1>
      <p>
        {isBadLevel(level) ? '我们将认真核实并尽快整改，如您留下电话，工作人员将在 1 个工作日内与您联系。' : '欢迎您再次监督我们的服务。'}
      </p>
    </section>
  );
}
