import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { ApiError, intake, must } from '../api/client';
import { problemMessage } from '../components/common';
import { session } from '../session';

interface Credentials {
  username: string;
  password: string;
}

/** Sign-in; a one-time password (first login, reset by an admin) must be replaced before anything else. */
export function LoginPage() {
  const [form] = Form.useForm<Credentials>();
  const [changeForm] = Form.useForm<{ newPassword: string; confirm: string }>();
  const [error, setError] = useState<string | null>(null);
  const [changing, setChanging] = useState<Credentials | null>(null);
  const [busy, setBusy] = useState(false);
  /** The server's password policy messages for the new password. */
  const [policyErrors, setPolicyErrors] = useState<string[]>([]);

  async function login(values: Credentials) {
    setBusy(true);
    setError(null);
    try {
      session.signedIn(await must(intake.POST('/api/v1/auth/login', { body: values })));
    } catch (err) {
      if (err instanceof ApiError && err.problem.code === 'PASSWORD_CHANGE_REQUIRED') setChanging(values);
      else setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function change(values: { newPassword: string }) {
    setBusy(true);
    setError(null);
    setPolicyErrors([]);
    try {
      const body = { username: changing!.username, currentPassword: changing!.password, newPassword: values.newPassword };
      session.signedIn(await must(intake.POST('/api/v1/auth/password', { body })));
    } catch (err) {
      const fieldErrors = err instanceof ApiError ? (err.problem.errors ?? []).filter((e) => e.field === 'newPassword') : [];
      setPolicyErrors(fieldErrors.map((e) => e.message));
      if (!fieldErrors.length) setError(problemMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f3f4f6', padding: 16 }}>
      <Card style={{ width: 'min(420px, 100%)' }}>
        <Typography.Title level={3} style={{ textAlign: 'center' }}>
          政务服务“好差评”管理平台
        </Typography.Title>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
        {!changing ? (
          <Form form={form} layout="vertical" onFinish={(v) => void login(v)} requiredMark={false}>
            <Form.Item label="用户名" name="username" rules={[{ required: true, message: '请输入用户名' }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              登录
            </Button>
          </Form>
        ) : (
          <Form form={changeForm} layout="vertical" onFinish={(v) => void change(v)}>
            <Alert type="info" showIcon title="首次登录（或密码已被重置），请设置新密码" style={{ marginBottom: 16 }} />
            <Form.Item
              label="新密码"
              name="newPassword"
              {...(policyErrors.length ? { validateStatus: 'error' as const, help: policyErrors.join('；') } : {})}
              extra="至少 10 个字符，包含小写字母、大写字母、数字、符号中的至少三类，且不含用户名"
              rules={[{ required: true, message: '请输入新密码' }]}
            >
              <Input.Password autoComplete="new-password" autoFocus />
            </Form.Item>
            <Form.Item
              label="确认新密码"
              name="confirm"
              dependencies={['newPassword']}
              rules={[
                { required: true, message: '请再次输入新密码' },
                ({ getFieldValue }) => ({
                  validator: (_, value) =>
                    value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('两次输入的密码不一致')),
                }),
              ]}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              修改密码并登录
            </Button>
          </Form>
        )}
      </Card>
    </main>
  );
}
