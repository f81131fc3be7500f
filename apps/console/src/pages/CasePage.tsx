import { EyeOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Spin,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { capabilities, must, rectification } from '../api/client';
import { matterSummary } from '../components/CaseTable';
import { Countdown, formatTime, problemMessage, StatusTag, usePolling, useSubmit } from '../components/common';
import { usePeopleNames } from '../components/people';
import { ACTION, CHANNEL, HOTLINE_CATEGORY, LEVEL, METHOD, OUTCOME, ROLE, SOURCE, TAG } from '../labels';
import type { User } from '../session';
import type { CaseView, TimelineEntry } from '../types';

type CaseDetail = CaseView & { timeline: TimelineEntry[]; actions: string[] };
type Action =
  'accept' | 'respond' | 'rectify' | 'feedback' | 'request-extension' | 'appeal' | 'decide-appeal' | 'decide-extension' | 'urge';

const TITLES: Record<Action, string> = {
  accept: '签收',
  respond: '联系评价人 / 回访核实',
  rectify: '整改 / 情况说明',
  feedback: '反馈评价人',
  'request-extension': '申请延期',
  appeal: '申诉',
  'decide-appeal': '申诉裁定',
  'decide-extension': '延期审批',
  urge: '督办',
};

const required = (label: string) => ({ required: true, message: `请填写${label}` });
const max = (n: number) => ({ max: n, message: `不超过 ${n} 个字` });

/** One case: what the citizen said, its deadlines, the timeline, and a form for every action the user may take now. */
export function CasePage({ role }: { role: User['role'] }) {
  const { id } = useParams<{ id: string }>();
  const { data, error, reload } = usePolling(
    async () => (await must(rectification.GET('/api/v1/cases/{id}', { params: { path: { id: id! } } }))) as unknown as CaseDetail,
    [id],
    15_000,
  );
  const [open, setOpen] = useState<Action | null>(null);
  const names = usePeopleNames(data?.timeline.map((e) => e.actor) ?? []);
  if (error && !data) return <Alert type="error" showIcon title={problemMessage(error)} />;
  if (!data) return <Spin />;
  const c = data;
  const m = c.matter as {
    level?: number;
    tags?: string[];
    comment?: string;
    serviceItemName?: string;
    serviceItemCode?: string;
    content?: string;
    channel?: string;
    category?: string | null;
  };
  const actions = c.actions.filter((a): a is Action => a in TITLES);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={15}>
        <Card
          title={
            <Space wrap>
              <span>
                {SOURCE[c.source]}案件 {c.caseNumber}
              </span>
              <StatusTag status={c.status} />
              {c.overdue && <Tag color="red">超期</Tag>}
              {c.urgeCount > 0 && <Tag color="volcano">督办 {c.urgeCount} 次</Tag>}
              {c.outcome && <Tag>{OUTCOME[c.outcome] ?? c.outcome}</Tag>}
            </Space>
          }
        >
          <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered styles={{ label: { whiteSpace: 'nowrap' } }}>
            <Descriptions.Item label="单位">{c.unitName || c.unitCode}</Descriptions.Item>
            <Descriptions.Item label="立案时间">{formatTime(c.openedAt)}</Descriptions.Item>
            <Descriptions.Item label="案件编号">{c.caseNumber}</Descriptions.Item>
            {m.channel && <Descriptions.Item label="来源渠道">{CHANNEL[m.channel] ?? '其他'}</Descriptions.Item>}
            {m.category && <Descriptions.Item label="诉求类别">{HOTLINE_CATEGORY[m.category] ?? '其他'}</Descriptions.Item>}
            {typeof m.level === 'number' && c.source === 'BAD_REVIEW' && (
              <Descriptions.Item label="评价">{`${LEVEL[m.level] ?? ''}（${m.level} 星）`}</Descriptions.Item>
            )}
            {m.tags && m.tags.length > 0 && (
              <Descriptions.Item label="差评原因">{m.tags.map((t) => TAG[t] ?? t).join('、')}</Descriptions.Item>
            )}
            <Descriptions.Item label="办理事项">
              {m.serviceItemName || (m.serviceItemCode ? `事项编码 ${m.serviceItemCode}` : '未注明')}
            </Descriptions.Item>
            {c.ticketId && <Descriptions.Item label="12345工单">{c.ticketId}</Descriptions.Item>}
            <Descriptions.Item label="内容" span={2}>
              {m.comment ?? m.content ?? matterSummary(c) ?? '—'}
            </Descriptions.Item>
            <Descriptions.Item label="答复期限">
              <Countdown deadline={c.responseDueAt} done={!['PENDING', 'ACCEPTED'].includes(c.status)} />
              {c.respondedAt && (
                <Typography.Text type={c.respondedOnTime ? 'success' : 'danger'}>
                  {' '}
                  {formatTime(c.respondedAt)} 已回访{c.respondedOnTime ? '（按时）' : '（超时）'}
                </Typography.Text>
              )}
            </Descriptions.Item>
            <Descriptions.Item label="整改期限">
              <Countdown deadline={c.rectifyDueAt} done={['RECTIFIED', 'CLOSED'].includes(c.status)} />
            </Descriptions.Item>
            <Descriptions.Item label="评价人" span={2}>
              <ContactCell c={c} role={role} onRevealed={reload} />
            </Descriptions.Item>
            {c.extension && (
              <Descriptions.Item label="延期申请" span={2}>
                {c.extension.status === 'PENDING' ? '待审批' : c.extension.status === 'APPROVED' ? '已批准' : '未批准'}：延至{' '}
                {formatTime(c.extension.until)}，{c.extension.reason}
              </Descriptions.Item>
            )}
          </Descriptions>
          <Space wrap style={{ marginTop: 16 }}>
            {actions.map((a) => (
              <Button key={a} type={a === actions[0] ? 'primary' : 'default'} onClick={() => setOpen(a)}>
                {TITLES[a]}
              </Button>
            ))}
            {actions.length === 0 && <Typography.Text type="secondary">当前没有可办理的操作</Typography.Text>}
          </Space>
        </Card>
      </Col>
      {role === 'unit_operator' && c.status === 'CLOSED' && c.outcome !== 'APPEAL_UPHELD' && (
        <Col xs={24} xl={15}>
          <PublicationCard c={c} onSaved={reload} />
        </Col>
      )}
      <Col xs={24} xl={9}>
        <Card title="办理过程">
          <Timeline
            items={c.timeline.map((e) => ({
              color: e.action === 'overdue' ? 'red' : e.action === 'urge' ? 'orange' : e.action === 'reveal-contact' ? 'gray' : 'blue',
              content: (
                <div>
                  <Typography.Text strong>{ACTION[e.action] ?? '其他办理记录'}</Typography.Text>{' '}
                  <Typography.Text type="secondary">
                    {formatTime(e.at)} · {actorName(e, names)}
                  </Typography.Text>
                  {e.note && <div>{e.note}</div>}
                  <TimelineData entry={e} />
                </div>
              ),
            }))}
          />
        </Card>
      </Col>
      {open && (
        <ActionModal action={open} detail={c} onClose={() => setOpen(null)} onDone={() => void reload().then(() => setOpen(null))} />
      )}
    </Row>
  );
}

/** Who did it, by name: the account's name with its role, or the role alone, or 系统 for automatic steps. */
function actorName(e: TimelineEntry, names: Map<string, string>): string {
  const role = e.actorRole ? (ROLE[e.actorRole] ?? '') : '';
  const name = names.get(e.actor);
  if (name) return role ? `${name}（${role}）` : name;
  return role || '系统';
}

function TimelineData({ entry }: { entry: TimelineEntry }) {
  const d = entry.data as {
    method?: string;
    contactedAt?: string;
    outcome?: string;
    measures?: string;
    reviewerSatisfied?: boolean;
    until?: string;
    upheld?: boolean;
    approved?: boolean;
  };
  const parts = [
    d.method && `方式：${METHOD[d.method] ?? d.method}`,
    d.contactedAt && `联系时间：${formatTime(d.contactedAt)}`,
    d.outcome && `结果：${OUTCOME[d.outcome] ?? d.outcome}`,
    d.measures && `措施：${d.measures}`,
    d.reviewerSatisfied !== undefined && (d.reviewerSatisfied ? '评价人满意' : '评价人不满意'),
    d.until && `延至：${formatTime(d.until)}`,
    d.upheld !== undefined && (d.upheld ? '申诉成立' : '申诉不成立'),
    d.approved !== undefined && (d.approved ? '批准' : '不批准'),
  ].filter(Boolean);
  return parts.length ? <Typography.Text type="secondary">{parts.join('；')}</Typography.Text> : null;
}

/** The masked contact; the case unit's operator may reveal it, giving a reason that is recorded. */
function ContactCell({ c, role, onRevealed }: { c: CaseView; role: User['role']; onRevealed: () => Promise<void> }) {
  const [form] = Form.useForm<{ reason: string }>();
  const [asking, setAsking] = useState(false);
  const [revealed, setRevealed] = useState<{ name: string | null; phone: string | null } | null>(null);
  const { submit, busy, field } = useSubmit(async (values: { reason: string }) => {
    setRevealed(
      (await must(
        rectification.POST('/api/v1/cases/{id}/reveal-contact', { params: { path: { id: c.id } }, body: values }),
      )) as unknown as {
        name: string | null;
        phone: string | null;
      },
    );
    setAsking(false);
    await onRevealed();
  });
  // PIPL: the contact is erased PERSONAL_DATA_RETENTION_DAYS after the case closed.
  if (c.contact.erasedAt) return <Typography.Text type="secondary">联系方式已按期删除</Typography.Text>;
  const hasContact = c.contact.name !== null || c.contact.phone !== null;
  if (!hasContact) return <Typography.Text type="secondary">未留联系方式（匿名评价）</Typography.Text>;
  return (
    <Space wrap>
      {revealed ? (
        <Typography.Text strong aria-label="评价人联系方式">
          {revealed.name ?? ''} {revealed.phone ?? ''}
        </Typography.Text>
      ) : (
        <span>
          {c.contact.name ?? ''} {c.contact.phone ?? ''}
        </span>
      )}
      {role === 'unit_operator' && !revealed && (
        <Button size="small" icon={<EyeOutlined />} onClick={() => setAsking(true)}>
          查看完整联系方式
        </Button>
      )}
      <Modal
        title="查看评价人联系方式"
        open={asking}
        onCancel={() => setAsking(false)}
        onOk={() => form.submit()}
        okText="查看"
        confirmLoading={busy}
        destroyOnHidden
      >
        <Alert type="warning" showIcon title="评价人个人信息受保护，查看将记录在案（查看人、时间、事由）。" style={{ marginBottom: 12 }} />
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item label="查看事由" name="reason" {...field('reason')} rules={[required('查看事由'), max(500)]}>
            <Input.TextArea rows={3} placeholder="例如：电话回访评价人核实情况" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

/**
 * 以评促改 example: the unit chooses to publish a closed case on the public pages, in its own wording (PUT
 * /cases/{id}/publication); the service refuses text with a phone or ID number, a staff id or the reviewer's name.
 */
function PublicationCard({ c, onSaved }: { c: CaseView & { publication?: Publication }; onSaved: () => Promise<void> }) {
  const [form] = Form.useForm<{ matter?: string; measures?: string }>();
  const published = c.publication?.publishable ?? false;
  const { submit, busy, field } = useSubmit(async (v: { publishable: boolean; matter?: string; measures?: string }) => {
    const body = { publishable: v.publishable, ...(v.matter ? { matter: v.matter } : {}), ...(v.measures ? { measures: v.measures } : {}) };
    await must(rectification.PUT('/api/v1/cases/{id}/publication', { params: { path: { id: c.id } }, body }));
    await onSaved();
  }, '公开设置已保存');
  return (
    <Card title="以评促改公开案例" extra={published ? <Tag color="green">已公开</Tag> : <Tag>未公开</Tag>}>
      <Typography.Paragraph type="secondary">
        公开后，本案例将在季度通报发布后出现在公开页面的“以评促改”栏目中。请用概括性文字描述，不得包含评价人姓名、电话、证件号码或工作人员工号。
      </Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ matter: c.publication?.matter ?? undefined, measures: c.publication?.measures ?? undefined }}
        onFinish={(v) => void submit({ publishable: true, ...v })}
      >
        <Form.Item
          label="公开的问题描述"
          name="matter"
          {...field('matter')}
          rules={c.source === 'BAD_REVIEW' ? [max(500)] : [required('公开的问题描述'), max(500)]}
          extra={c.source === 'BAD_REVIEW' ? '不填则使用办理事项、评价等级和差评原因' : undefined}
        >
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item label="公开的整改措施" name="measures" {...field('measures')} rules={[max(2000)]} extra="不填则使用最后一次整改措施">
          <Input.TextArea rows={3} />
        </Form.Item>
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={busy}>
            {published ? '更新公开内容' : '设为公开案例'}
          </Button>
          {published && (
            <Button loading={busy} onClick={() => void submit({ publishable: false })}>
              取消公开
            </Button>
          )}
        </Space>
      </Form>
    </Card>
  );
}

interface Publication {
  publishable: boolean;
  matter: string | null;
  measures: string | null;
}

interface ActionValues {
  note?: string;
  contactedAt?: Dayjs;
  method?: string;
  outcome?: string;
  measures?: string;
  problemCategory?: string;
  reviewerSatisfied?: boolean;
  reason?: string;
  until?: Dayjs;
  evidence?: string;
  upheld?: boolean;
  approved?: boolean;
  replyToCitizen?: string;
}

const PATHS = {
  accept: '/api/v1/cases/{id}/accept',
  respond: '/api/v1/cases/{id}/respond',
  rectify: '/api/v1/cases/{id}/rectify',
  feedback: '/api/v1/cases/{id}/feedback',
  'request-extension': '/api/v1/cases/{id}/request-extension',
  appeal: '/api/v1/cases/{id}/appeal',
  'decide-appeal': '/api/v1/cases/{id}/decide-appeal',
  'decide-extension': '/api/v1/cases/{id}/decide-extension',
  urge: '/api/v1/cases/{id}/urge',
} as const;

/** The body of an action, as its DTO in the contract wants it. */
function bodyOf(action: Action, v: ActionValues): Record<string, unknown> {
  switch (action) {
    case 'accept':
      return v.note ? { note: v.note } : {};
    case 'respond':
      return { contactedAt: v.contactedAt?.format(), method: v.method, note: v.note };
    case 'rectify':
      return { outcome: v.outcome, measures: v.measures, problemCategory: v.problemCategory };
    case 'feedback':
      return { reviewerSatisfied: v.reviewerSatisfied, note: v.note };
    case 'request-extension':
      return { reason: v.reason, until: v.until?.endOf('day').format() };
    case 'appeal':
      return { reason: v.reason, ...(v.evidence ? { evidence: v.evidence.split(/\s*\n\s*/).filter(Boolean) } : {}) };
    case 'decide-appeal':
      return { upheld: v.upheld, note: v.note, ...(v.replyToCitizen ? { replyToCitizen: v.replyToCitizen } : {}) };
    case 'decide-extension':
      return { approved: v.approved, note: v.note };
    case 'urge':
      return { note: v.note };
  }
}

export function ActionModal({
  action,
  detail,
  onClose,
  onDone,
}: {
  action: Action;
  detail: CaseView;
  onClose: () => void;
  onDone: () => void;
}) {
  const [form] = Form.useForm<ActionValues>();
  const { message } = AntApp.useApp();
  const { submit, busy, field } = useSubmit(async (values: ActionValues) => {
    // The path is one of PATHS; openapi-fetch checks each body against its DTO's type only per literal path.
    const post = rectification.POST as unknown as (
      path: string,
      init: { params: { path: { id: string } }; body: unknown },
    ) => Promise<{
      data?: unknown;
      error?: unknown;
      response: Response;
    }>;
    await must(post(PATHS[action], { params: { path: { id: detail.id } }, body: bodyOf(action, values) }));
    void message.success(`${TITLES[action]}已提交`);
    onDone();
  });
  const anonymous = detail.contact.name === null && detail.contact.phone === null;
  const methods = capabilities.enumOf('rectification', 'RespondCaseDto', 'method').filter((m) => m !== 'NO_CONTACT' || anonymous);
  // replyToCitizen: required by the contract on hotline appeals, offered once the service has the field.
  const replyField = detail.source === 'HOTLINE' && 'replyToCitizen' in (capabilities.properties('rectification', 'DecideAppealDto') ?? {});
  return (
    <Modal
      title={TITLES[action]}
      open
      onCancel={onClose}
      onOk={() => form.submit()}
      okText="提交"
      confirmLoading={busy}
      destroyOnHidden
      width={560}
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        initialValues={{
          contactedAt: dayjs(),
          method: methods[0],
          outcome: 'RECTIFIED',
          reviewerSatisfied: true,
          upheld: false,
          approved: true,
        }}
      >
        {action === 'respond' && (
          <>
            <Form.Item
              label="联系时间"
              name="contactedAt"
              {...field('contactedAt')}
              rules={[{ required: true, message: '请选择联系时间' }]}
              extra="不能早于立案时间，也不能晚于当前时间"
            >
              <DatePicker
                showTime
                style={{ width: '100%' }}
                disabledDate={(d) => d.isAfter(dayjs().endOf('day')) || d.isBefore(dayjs(detail.openedAt).startOf('day'))}
              />
            </Form.Item>
            <Form.Item label="联系方式" name="method" {...field('method')} rules={[{ required: true, message: '请选择联系方式' }]}>
              <Radio.Group name="method" aria-label="联系方式" options={methods.map((m) => ({ value: m, label: METHOD[m] ?? m }))} />
            </Form.Item>
          </>
        )}
        {action === 'rectify' && (
          <>
            <Form.Item label="办理结果" name="outcome" {...field('outcome')} rules={[{ required: true, message: '请选择办理结果' }]}>
              <Radio.Group
                name="outcome"
                aria-label="办理结果"
                options={[
                  { value: 'RECTIFIED', label: '整改到位' },
                  { value: 'EXPLAINED', label: '情况说明（不属于需整改问题）' },
                ]}
              />
            </Form.Item>
            <ProblemCategoryField
              caseId={detail.id}
              field={field('problemCategory')}
              onPick={(code) => form.setFieldValue('problemCategory', code)}
            />
            <Form.Item
              label="整改措施 / 情况说明"
              name="measures"
              {...field('measures')}
              rules={[required('整改措施'), max(4000)]}
              extra={detail.source === 'HOTLINE' ? '将作为答复回传12345' : undefined}
            >
              <Input.TextArea rows={4} />
            </Form.Item>
          </>
        )}
        {action === 'feedback' && (
          <Form.Item
            label="评价人是否满意"
            name="reviewerSatisfied"
            {...field('reviewerSatisfied')}
            rules={[{ required: true, message: '请选择' }]}
          >
            <Radio.Group
              name="reviewerSatisfied"
              aria-label="评价人是否满意"
              options={[
                { value: true, label: '满意（办结）' },
                { value: false, label: '不满意（重新整改）' },
              ]}
            />
          </Form.Item>
        )}
        {(action === 'request-extension' || action === 'appeal') && (
          <Form.Item
            label={action === 'appeal' ? '申诉理由' : '延期理由'}
            name="reason"
            {...field('reason')}
            rules={[required('理由'), max(2000)]}
          >
            <Input.TextArea rows={3} />
          </Form.Item>
        )}
        {action === 'request-extension' && (
          <Form.Item
            label="延期至"
            name="until"
            {...field('until')}
            rules={[{ required: true, message: '请选择延期日期' }]}
            extra="最长至立案后 15 个工作日"
          >
            <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isBefore(dayjs(detail.rectifyDueAt).startOf('day'))} />
          </Form.Item>
        )}
        {action === 'appeal' && (
          <Form.Item label="证据（每行一项，可选）" name="evidence" {...field('evidence')}>
            <Input.TextArea rows={2} placeholder="监控录像编号、办件记录号等" />
          </Form.Item>
        )}
        {action === 'decide-appeal' && (
          <Form.Item label="裁定" name="upheld" {...field('upheld')} rules={[{ required: true, message: '请选择' }]}>
            <Radio.Group
              name="upheld"
              aria-label="裁定"
              options={[
                { value: true, label: '申诉成立（差评不计入统计）' },
                { value: false, label: '申诉不成立' },
              ]}
            />
          </Form.Item>
        )}
        {action === 'decide-appeal' && replyField && (
          <Form.Item label="答复市民（回传12345）" name="replyToCitizen" {...field('replyToCitizen')} rules={[max(4000)]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        )}
        {action === 'decide-extension' && (
          <Form.Item label="审批" name="approved" {...field('approved')} rules={[{ required: true, message: '请选择' }]}>
            <Radio.Group
              name="approved"
              aria-label="审批"
              options={[
                { value: true, label: '批准' },
                { value: false, label: '不批准' },
              ]}
            />
          </Form.Item>
        )}
        {['accept', 'respond', 'feedback', 'decide-appeal', 'decide-extension', 'urge'].includes(action) && (
          <Form.Item
            label={action === 'accept' ? '备注（可选）' : action === 'urge' ? '督办意见' : action === 'respond' ? '回访情况' : '说明'}
            name="note"
            {...field('note')}
            rules={action === 'accept' ? [max(1000)] : [required('内容'), max(2000)]}
          >
            <Input.TextArea rows={3} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

interface ProblemCategory {
  code: string;
  parentCode: string | null;
  name: string;
}

interface Suggestions {
  categories: Array<{ code: string; score: number }>;
  similarCases: Array<{ id: string; unitCode: string; snippet: string; similarity: number }>;
}

/**
 * 问题分类 at rectify: a picker of the active categories (grouped by top-level category), the suggested ones as
 * one-click choices and the similar earlier cases of other units. The operator decides; nothing is preselected.
 */
function ProblemCategoryField({
  caseId,
  field,
  onPick,
}: {
  caseId: string;
  field: { validateStatus?: 'error'; help?: string };
  onPick: (code: string) => void;
}) {
  const [categories, setCategories] = useState<ProblemCategory[]>([]);
  const [suggestions, setSuggestions] = useState<Suggestions | null>(null);
  useEffect(() => {
    // Paths newer than the generated client types: called untyped, answers typed here.
    const get = rectification.GET as unknown as (
      path: string,
      init: { params?: { path: { id: string } } },
    ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
    void (async () => {
      setCategories((await must(get('/api/v1/problem-categories', {}))) as ProblemCategory[]);
      setSuggestions((await must(get('/api/v1/cases/{id}/suggestions', { params: { path: { id: caseId } } }))) as Suggestions);
    })().catch(() => setSuggestions({ categories: [], similarCases: [] }));
  }, [caseId]);
  const nameOf = (code: string) => categories.find((c) => c.code === code)?.name ?? code;
  const tops = categories.filter((c) => c.parentCode === null);
  const options = tops.map((top) => ({
    label: top.name,
    title: top.name,
    options: [
      { value: top.code, label: `${top.name}（总类）` },
      ...categories.filter((c) => c.parentCode === top.code).map((c) => ({ value: c.code, label: c.name })),
    ],
  }));
  return (
    <>
      <Form.Item
        label="问题分类"
        name="problemCategory"
        {...field}
        rules={[{ required: true, message: '请选择问题分类' }]}
        extra={
          suggestions && suggestions.categories.length > 0 ? (
            <Space wrap size={4} style={{ marginTop: 4 }}>
              <span>系统建议（仅供参考）：</span>
              {suggestions.categories.slice(0, 3).map((s) => (
                <Button key={s.code} size="small" onClick={() => onPick(s.code)}>
                  建议：{nameOf(s.code)}（{Math.round(s.score * 100)}%）
                </Button>
              ))}
            </Space>
          ) : undefined
        }
      >
        <Select showSearch optionFilterProp="label" placeholder="请选择问题分类" options={options} />
      </Form.Item>
      {suggestions && suggestions.similarCases.length > 0 && (
        <Form.Item label="相似案例（同一办事事项）">
          <Space direction="vertical" size={2}>
            {suggestions.similarCases.map((c) => (
              <Typography.Text key={c.id} type="secondary">
                {c.unitCode}：{c.snippet}（相似度 {Math.round(c.similarity * 100)}%）
              </Typography.Text>
            ))}
          </Space>
        </Form.Item>
      )}
    </>
  );
}
