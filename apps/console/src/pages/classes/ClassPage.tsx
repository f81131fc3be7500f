import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Select,
  Space,
  Spin,
  Table,
  Timeline,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { must, rectification } from '../../api/client';
import { matterSummary } from '../../components/CaseTable';
import { formatTime, problemMessage, StatusTag, usePolling, useSubmit } from '../../components/common';
import { ROLE, SOURCE } from '../../labels';
import type { User } from '../../session';
import type { CaseView } from '../../types';
import { ActionCard } from './ActionCard';
import { CasePicker, type PickedCase } from './CasePicker';
import { CLASS_STEP, ClassStatusTag, type ImprovementAction, type ProblemClass, useCategories, useNarrow, usePeopleNames } from './names';

type Entry = ProblemClass['timeline'][number];

/** One 类问题: its cases (of every unit), its improvement actions and their steps, and its timeline, in people's names. */
export function ClassPage({ role }: { role: User['role'] }) {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { data, error, reload } = usePolling(
    () => must(rectification.GET('/api/v1/problem-classes/{id}', { params: { path: { id } } })),
    [id],
    30_000,
  );
  const current = data?.id === id ? data : null;
  const people = usePeopleNames(
    current ? [current.openedBy, ...current.timeline.map((e) => e.actor), ...current.actions.map((a) => a.assignedBy)] : [],
  );
  const unitName = useMemo(() => {
    const names = new Map<string, string>();
    for (const c of current?.cases ?? []) names.set(c.unitCode, c.unitName);
    for (const a of current?.actions ?? []) names.set(a.unitCode, a.unitName);
    return (code: string | null) => (code ? (names.get(code) ?? '其他单位') : '');
  }, [current]);
  const narrow = useNarrow();
  const [assigning, setAssigning] = useState(false);
  const [adding, setAdding] = useState(false);
  const [returning, setReturning] = useState<ImprovementAction | null>(null);
  // Every step answers with the class as it now stands; the page reads it again with the rest.
  const changed = () => void reload();

  if (error && !current) return <Alert type="error" showIcon title={problemMessage(error)} />;
  if (!current) return <Spin style={{ display: 'block', marginTop: 48 }} />;
  const supervisor = role === 'supervisor';
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size={16}>
      <Card
        title={current.title}
        extra={
          <Button onClick={() => void navigate(supervisor ? '/classes' : '/actions')}>{supervisor ? '返回类问题' : '返回整改措施'}</Button>
        }
        styles={{ title: { whiteSpace: 'normal' } }}
      >
        <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered={!narrow} styles={{ label: { whiteSpace: 'nowrap' } }}>
          <Descriptions.Item label="状态">
            <span aria-label="类问题状态">
              <ClassStatusTag status={current.status} />
            </span>
          </Descriptions.Item>
          <Descriptions.Item label="问题分类">{current.categoryName}</Descriptions.Item>
          <Descriptions.Item label="建立人">{people(current.openedBy, 'supervisor')}</Descriptions.Item>
          <Descriptions.Item label="建立时间">{formatTime(current.openedAt)}</Descriptions.Item>
          <Descriptions.Item label="整改措施">
            {current.actionCount === 0 ? '尚未交办' : `已验收 ${current.actionsAccepted} / ${current.actionCount}`}
          </Descriptions.Item>
          <Descriptions.Item label="解决时间">{current.solvedAt ? formatTime(current.solvedAt) : '—'}</Descriptions.Item>
          <Descriptions.Item label="问题描述" span={{ xs: 1, md: 2 }}>
            <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{current.description}</Typography.Paragraph>
          </Descriptions.Item>
        </Descriptions>
      </Card>

      <Card
        title={`案件（${current.caseCount}）`}
        extra={
          current.editable && (
            <Button onClick={() => setAdding(true)} aria-label="增加案件">
              增加案件
            </Button>
          )
        }
      >
        <CaseList cls={current} onChanged={changed} narrow={narrow} />
      </Card>

      <Card
        title={`整改措施（${current.actionCount}）`}
        extra={
          current.editable && (
            <Button type="primary" onClick={() => setAssigning(true)}>
              交办整改措施
            </Button>
          )
        }
      >
        {current.actions.length === 0 ? (
          <Typography.Text type="secondary">
            尚未交办整改措施{current.editable ? '：为涉及的单位各交办一项，全部验收后本类问题即为已解决。' : ''}
          </Typography.Text>
        ) : (
          <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 420px), 1fr))', gap: 12 }}>
            {current.actions.map((a) => (
              <ActionCard key={a.id} action={a} assignedBy={people(a.assignedBy, 'supervisor')}>
                <Steps action={a} classId={current.id} onChanged={changed} onReturn={() => setReturning(a)} />
              </ActionCard>
            ))}
          </div>
        )}
      </Card>

      <Card title="办理过程">
        <Timeline
          items={current.timeline.map((e, i) => ({
            key: i,
            color: e.action === 'return-action' ? 'red' : e.action === 'solved' || e.action === 'accept-action' ? 'green' : 'blue',
            content: <Step entry={e} person={people(e.actor, e.actorRole)} unitName={unitName} />,
          }))}
        />
      </Card>

      {assigning && <AssignDialog cls={current} onClose={() => setAssigning(false)} onChanged={changed} />}
      {adding && <AddCasesDialog cls={current} onClose={() => setAdding(false)} onChanged={changed} />}
      {returning && <ReturnDialog classId={current.id} action={returning} onClose={() => setReturning(null)} onChanged={changed} />}
    </Space>
  );
}

function Step({ entry: e, person, unitName }: { entry: Entry; person: string; unitName: (code: string | null) => string }) {
  const data = e.data as { caseIds?: string[]; dueAt?: string; workingDays?: number; evidence?: string[] };
  const unit = unitName(e.unitCode);
  const detail = (() => {
    switch (e.action) {
      case 'open':
        return data.caseIds ? `归入 ${data.caseIds.length} 件案件` : '';
      case 'add-cases':
        return data.caseIds ? `增加 ${data.caseIds.length} 件案件` : '';
      case 'remove-case':
        return '移出 1 件案件';
      case 'assign-action':
        return `交办给${unit}：${e.note ?? ''}${data.dueAt ? `（${data.workingDays ? `${data.workingDays}个工作日，` : ''}${formatTime(data.dueAt)}前完成）` : ''}`;
      case 'report-action':
        return `${unit}报送完成情况：${e.note ?? ''}${data.evidence?.length ? `；佐证材料 ${data.evidence.length} 项` : ''}`;
      case 'return-action':
        return `退回${unit}，原因：${e.note ?? ''}`;
      case 'accept-action':
        return `${unit}的整改措施验收通过${e.note ? `：${e.note}` : ''}`;
      default:
        return '';
    }
  })();
  return (
    <div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {formatTime(e.at)} · {person}
        {e.actorRole ? `（${ROLE[e.actorRole] ?? '工作人员'}）` : ''}
      </Typography.Text>
      <div>
        <Typography.Text strong>{CLASS_STEP[e.action] ?? '其他操作'}</Typography.Text>
        {detail && <span>　{detail}</span>}
      </div>
    </div>
  );
}

function CaseList({ cls, onChanged, narrow }: { cls: ProblemClass; onChanged: (next: ProblemClass) => void; narrow: boolean }) {
  const { submit, busy } = useSubmit(async (caseId: string) => {
    onChanged(
      await must(rectification.DELETE('/api/v1/problem-classes/{id}/cases/{caseId}', { params: { path: { id: cls.id, caseId } } })),
    );
  }, '案件已移出');
  const cases = cls.cases as unknown as CaseView[];
  return (
    <Table<CaseView>
      rowKey="id"
      size="small"
      dataSource={cases}
      pagination={cases.length > 20 ? { pageSize: 20 } : false}
      columns={[
        { title: '单位', key: 'unit', width: narrow ? 96 : 170, render: (_, c) => c.unitName },
        {
          title: '事项',
          key: 'matter',
          render: (_, c) => (
            <Link to={`/cases/${c.id}`} aria-label={`打开案件：${c.unitName} ${matterSummary(c)}`}>
              {SOURCE[c.source] ?? ''}：{matterSummary(c) || '（无文字）'}
            </Link>
          ),
        },
        { title: '状态', key: 'status', width: 90, responsive: ['sm'], render: (_, c) => <StatusTag status={c.status} /> },
        { title: '立案时间', key: 'opened', width: 140, responsive: ['md'], render: (_, c) => formatTime(c.openedAt) },
        ...(cls.editable && cases.length > 1
          ? [
              {
                title: '操作',
                key: 'remove',
                width: 80,
                render: (_: unknown, c: CaseView) => (
                  <Popconfirm title="将该案件移出本类问题？" okText="移出" cancelText="取消" onConfirm={() => void submit(c.id)}>
                    <Button size="small" loading={busy}>
                      移出
                    </Button>
                  </Popconfirm>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

function Steps({
  action,
  classId,
  onChanged,
  onReturn,
}: {
  action: ImprovementAction;
  classId: string;
  onChanged: (next: ProblemClass) => void;
  onReturn: () => void;
}) {
  const { submit, busy } = useSubmit(async () => {
    onChanged(
      await must(
        rectification.POST('/api/v1/problem-classes/{id}/actions/{actionId}/accept', {
          params: { path: { id: classId, actionId: action.id } },
          body: {},
        }),
      ),
    );
  }, '已验收');
  if (!action.steps.includes('accept') && !action.steps.includes('return')) return null;
  return (
    <Space style={{ marginTop: 8 }}>
      {action.steps.includes('accept') && (
        <Popconfirm
          title={`验收通过${action.unitName}的整改措施？`}
          okText="验收通过"
          cancelText="取消"
          onConfirm={() => void submit(undefined)}
        >
          <Button type="primary" loading={busy} aria-label={`验收 ${action.unitName}`}>
            验收通过
          </Button>
        </Popconfirm>
      )}
      {action.steps.includes('return') && (
        <Button danger onClick={onReturn} aria-label={`退回 ${action.unitName}`}>
          退回
        </Button>
      )}
    </Space>
  );
}

function AssignDialog({ cls, onClose, onChanged }: { cls: ProblemClass; onClose: () => void; onChanged: (next: ProblemClass) => void }) {
  const [form] = Form.useForm<{ unitCode: string; action: string; workingDays: number }>();
  const units = useMemo(() => {
    const names = new Map<string, string>();
    for (const c of cls.cases) names.set(c.unitCode, c.unitName);
    return [...names].map(([value, label]) => ({ value, label }));
  }, [cls]);
  const { submit, busy, field } = useSubmit(async (values: { unitCode: string; action: string; workingDays: number }) => {
    onChanged(await must(rectification.POST('/api/v1/problem-classes/{id}/actions', { params: { path: { id: cls.id } }, body: values })));
    onClose();
  }, '整改措施已交办');
  return (
    <Modal
      open
      title="交办整改措施"
      okText="交办"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ workingDays: 10 }} onFinish={(v) => void submit(v)}>
        <Form.Item label="承办单位" name="unitCode" rules={[{ required: true, message: '请选择承办单位' }]} {...field('unitCode')}>
          <Select aria-label="承办单位" options={units} placeholder="选择单位" showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        <Form.Item
          label="整改措施"
          name="action"
          rules={[{ required: true, whitespace: true, message: '请填写整改措施' }]}
          {...field('action')}
        >
          <Input.TextArea rows={3} maxLength={1000} showCount placeholder="例如：周一上午增开两个窗口，推行线上预约分时段办理" />
        </Form.Item>
        <Form.Item
          label="完成期限（工作日）"
          name="workingDays"
          rules={[{ required: true, message: '请填写期限' }]}
          extra="自今日起第 N 个工作日当天 24 时前完成，按工作日历计算"
          {...field('workingDays', 'dueAt')}
        >
          <InputNumber min={1} max={60} precision={0} suffix="个工作日" style={{ width: 200 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ReturnDialog({
  classId,
  action,
  onClose,
  onChanged,
}: {
  classId: string;
  action: ImprovementAction;
  onClose: () => void;
  onChanged: (next: ProblemClass) => void;
}) {
  const [form] = Form.useForm<{ note: string }>();
  const { submit, busy, field } = useSubmit(async (values: { note: string }) => {
    onChanged(
      await must(
        rectification.POST('/api/v1/problem-classes/{id}/actions/{actionId}/return', {
          params: { path: { id: classId, actionId: action.id } },
          body: values,
        }),
      ),
    );
    onClose();
  }, '已退回');
  return (
    <Modal
      open
      title={`退回${action.unitName}的整改措施`}
      okText="退回"
      okButtonProps={{ danger: true }}
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
        <Form.Item
          label="退回原因"
          name="note"
          rules={[{ required: true, whitespace: true, message: '请填写退回原因' }]}
          {...field('note')}
        >
          <Input.TextArea rows={3} maxLength={1000} showCount placeholder="说明还缺少什么，单位补充后重新报送" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function AddCasesDialog({ cls, onClose, onChanged }: { cls: ProblemClass; onClose: () => void; onChanged: (next: ProblemClass) => void }) {
  const categories = useCategories();
  const [cases, setCases] = useState<PickedCase[]>([]);
  const { submit, busy } = useSubmit(async () => {
    onChanged(
      await must(
        rectification.POST('/api/v1/problem-classes/{id}/cases', {
          params: { path: { id: cls.id } },
          body: { caseIds: cases.map((c) => c.id) },
        }),
      ),
    );
    onClose();
  }, '案件已增加');
  return (
    <Modal
      open
      width={960}
      title="增加案件"
      okText="增加"
      cancelText="取消"
      okButtonProps={{ disabled: cases.length === 0 }}
      confirmLoading={busy}
      onOk={() => void submit(undefined)}
      onCancel={onClose}
      destroyOnHidden
    >
      <CasePicker categories={categories} selected={cases} onChange={setCases} exclude={cls.cases.map((c) => c.id)} />
    </Modal>
  );
}
