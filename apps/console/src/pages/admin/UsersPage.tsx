import { Alert, Button, Card, Form, Input, Modal, Select, Space, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { intake, must } from '../../api/client';
import { formatTime, usePolling, useSubmit } from '../../components/common';
import { ROLE } from '../../labels';
import type { User } from '../../session';
import type { Unit } from '../../types';

interface UserValues {
  username?: string;
  displayName: string;
  role: User['role'];
  unitCode?: string | null;
  password?: string;
  disabled?: boolean;
}

const PASSWORD_HINT = '一次性密码：至少 10 个字符，含小写字母、大写字母、数字、符号中的至少三类，且不含用户名；用户首次登录须修改';

/** Console accounts: create with a one-time password, change role/unit, disable, reset the password, lift a login throttle. */
export function UsersPage() {
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [form] = Form.useForm<UserValues>();
  const [resetForm] = Form.useForm<{ password: string }>();
  const { data, loading, reload } = usePolling(async () => (await must(intake.GET('/api/v1/users'))) as User[], [], 30_000);
  const units = usePolling(async () => (await must(intake.GET('/api/v1/units'))) as unknown as Unit[], [], 0);
  const role = Form.useWatch('role', form);
  const save = useSubmit(async (v: UserValues) => {
    if (editing === 'new') {
      await must(
        intake.POST('/api/v1/users', {
          body: {
            username: v.username!,
            displayName: v.displayName,
            role: v.role,
            password: v.password!,
            ...(v.role === 'unit_operator' ? { unitCode: v.unitCode! } : {}),
          },
        }),
      );
    } else if (editing) {
      await must(
        intake.PATCH('/api/v1/users/{id}', {
          params: { path: { id: editing.id } },
          body: {
            displayName: v.displayName,
            role: v.role,
            unitCode: v.role === 'unit_operator' ? v.unitCode : null,
            disabled: v.disabled,
          } as never,
        }),
      );
    }
    setEditing(null);
    await reload();
  }, '已保存');
  const reset = useSubmit(async (v: { password: string }) => {
    await must(intake.POST('/api/v1/users/{id}/reset-password', { params: { path: { id: resetting!.id } }, body: v }));
    setResetting(null);
    await reload();
  }, '密码已重置，用户下次登录须修改');
  const unlock = useSubmit(async (u: User) => {
    await must(intake.POST('/api/v1/users/{id}/unlock', { params: { path: { id: u.id } } }));
    await reload();
  }, '已解除登录限制');
  const open = (u: User | 'new') => {
    form.resetFields();
    if (u !== 'new') form.setFieldsValue({ displayName: u.displayName, role: u.role, unitCode: u.unitCode, disabled: u.disabled });
    else form.setFieldsValue({ role: 'unit_operator' });
    setEditing(u);
  };
  return (
    <Card
      title="用户"
      extra={
        <Button type="primary" onClick={() => open('new')}>
          新建用户
        </Button>
      }
    >
      <Table<User>
        rowKey="id"
        size="small"
        loading={loading && !data}
        dataSource={data ?? []}
        scroll={{ x: 900 }}
        columns={[
          { title: '用户名', dataIndex: 'username' },
          { title: '姓名', dataIndex: 'displayName' },
          { title: '角色', key: 'role', render: (_, u) => ROLE[u.role] },
          { title: '单位', key: 'unit', render: (_, u) => u.unitCode ?? '—' },
          {
            title: '状态',
            key: 'state',
            render: (_, u) => (
              <Space size={4} wrap>
                {u.disabled ? <Tag color="red">已停用</Tag> : <Tag color="green">启用</Tag>}
                {u.lockedUntil && <Tag color="orange">登录受限至 {formatTime(u.lockedUntil)}</Tag>}
                {u.mustChangePassword && <Tag>待改密码</Tag>}
              </Space>
            ),
          },
          { title: '最近登录', key: 'login', render: (_, u) => formatTime(u.lastLoginAt) },
          {
            title: '操作',
            key: 'op',
            render: (_, u) => (
              <Space>
                <Button size="small" onClick={() => open(u)}>
                  编辑
                </Button>
                <Button size="small" onClick={() => (resetForm.resetFields(), setResetting(u))}>
                  重置密码
                </Button>
                {u.lockedUntil && (
                  <Button size="small" loading={unlock.busy} onClick={() => void unlock.submit(u)}>
                    解除登录限制
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        title={editing === 'new' ? '新建用户' : '编辑用户'}
        open={editing !== null}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        okText="保存"
        confirmLoading={save.busy}
        forceRender
      >
        <Form form={form} layout="vertical" onFinish={(v) => void save.submit(v)}>
          {editing === 'new' && (
            <Form.Item
              label="用户名"
              name="username"
              {...save.field('username')}
              rules={[
                { required: true, message: '请填写用户名' },
                { pattern: /^[A-Za-z0-9._-]{3,32}$/, message: '3–32 位字母、数字、点、横线或下划线' },
              ]}
            >
              <Input autoComplete="off" />
            </Form.Item>
          )}
          <Form.Item
            label="姓名"
            name="displayName"
            {...save.field('displayName')}
            rules={[
              { required: true, message: '请填写姓名' },
              { max: 50, message: '不超过 50 个字' },
            ]}
          >
            <Input />
          </Form.Item>
          <Form.Item label="角色" name="role" {...save.field('role')} rules={[{ required: true, message: '请选择角色' }]}>
            <Select options={Object.entries(ROLE).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
          {role === 'unit_operator' && (
            <Form.Item
              label="所属单位"
              name="unitCode"
              {...save.field('unitCode')}
              rules={[{ required: true, message: '单位经办人须选择单位' }]}
            >
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                options={(units.data ?? []).map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` }))}
              />
            </Form.Item>
          )}
          {editing === 'new' ? (
            <Form.Item
              label="初始密码"
              name="password"
              {...save.field('password')}
              extra={PASSWORD_HINT}
              rules={[{ required: true, message: '请设置初始密码' }]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          ) : (
            <Form.Item
              label="停用账号"
              name="disabled"
              {...save.field('disabled')}
              valuePropName="checked"
              extra="停用后该用户立即无法刷新登录"
            >
              <Switch />
            </Form.Item>
          )}
          {editing !== 'new' && <Alert type="info" showIcon title="角色或单位的变更在该用户下次刷新令牌时（最长 15 分钟）生效。" />}
        </Form>
      </Modal>
      <Modal
        title={`重置密码：${resetting?.username ?? ''}`}
        open={resetting !== null}
        onCancel={() => setResetting(null)}
        onOk={() => resetForm.submit()}
        okText="重置"
        confirmLoading={reset.busy}
        forceRender
      >
        <Form form={resetForm} layout="vertical" onFinish={(v) => void reset.submit(v)}>
          <Form.Item
            label="一次性密码"
            name="password"
            {...reset.field('password')}
            extra={PASSWORD_HINT}
            rules={[{ required: true, message: '请设置一次性密码' }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
