import {
  ApartmentOutlined,
  AuditOutlined,
  BarChartOutlined,
  CalendarOutlined,
  ClusterOutlined,
  DashboardOutlined,
  FileTextOutlined,
  LogoutOutlined,
  PhoneOutlined,
  SafetyOutlined,
  ScheduleOutlined,
  TabletOutlined,
  TeamOutlined,
  ToolOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { Button, Grid, Layout, Menu, Space, Spin, Typography } from 'antd';
import { lazy, Suspense, useSyncExternalStore, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { CalendarBanner } from './components/CalendarBanner';
import { ROLE } from './labels';
import { session, type User } from './session';

// Each screen is its own chunk, loaded when first opened: the login page needs none of them (nor ECharts).
const AuditPage = lazy(() => import('./pages/admin/AuditPage').then((m) => ({ default: m.AuditPage })));
const CalendarPage = lazy(() => import('./pages/admin/CalendarPage').then((m) => ({ default: m.CalendarPage })));
const DevicesPage = lazy(() => import('./pages/admin/DevicesPage').then((m) => ({ default: m.DevicesPage })));
const HotlineClientsPage = lazy(() => import('./pages/admin/HotlineClientsPage').then((m) => ({ default: m.HotlineClientsPage })));
const UnitsPage = lazy(() => import('./pages/admin/UnitsPage').then((m) => ({ default: m.UnitsPage })));
const UsersPage = lazy(() => import('./pages/admin/UsersPage').then((m) => ({ default: m.UsersPage })));
const ActionsPage = lazy(() => import('./pages/classes/ActionsPage').then((m) => ({ default: m.ActionsPage })));
const ClassesPage = lazy(() => import('./pages/classes/ClassesPage').then((m) => ({ default: m.ClassesPage })));
const ClassPage = lazy(() => import('./pages/classes/ClassPage').then((m) => ({ default: m.ClassPage })));
const NewClassPage = lazy(() => import('./pages/classes/NewClassPage').then((m) => ({ default: m.NewClassPage })));
const CasePage = lazy(() => import('./pages/CasePage').then((m) => ({ default: m.CasePage })));
const FiguresPage = lazy(() => import('./pages/operator/FiguresPage').then((m) => ({ default: m.FiguresPage })));
const UnresolvedPage = lazy(() => import('./pages/operator/UnresolvedPage').then((m) => ({ default: m.UnresolvedPage })));
const Workbench = lazy(() => import('./pages/operator/Workbench').then((m) => ({ default: m.Workbench })));
const DecisionsPage = lazy(() => import('./pages/supervisor/DecisionsPage').then((m) => ({ default: m.DecisionsPage })));
const DeskPage = lazy(() => import('./pages/supervisor/DeskPage').then((m) => ({ default: m.DeskPage })));
const ReportsPage = lazy(() => import('./pages/supervisor/ReportsPage').then((m) => ({ default: m.ReportsPage })));
const SupervisionPage = lazy(() => import('./pages/supervisor/SupervisionPage').then((m) => ({ default: m.SupervisionPage })));
const UnitPage = lazy(() => import('./pages/supervisor/UnitPage').then((m) => ({ default: m.UnitPage })));
const SuspectsPage = lazy(() => import('./pages/supervisor/SuspectsPage').then((m) => ({ default: m.SuspectsPage })));

interface Screen {
  path: string;
  label: string;
  icon: ReactNode;
  element: ReactNode;
}

const SCREENS: Record<User['role'], Screen[]> = {
  unit_operator: [
    { path: '/workbench', label: '工作台', icon: <DashboardOutlined />, element: <Workbench /> },
    { path: '/unresolved', label: '办不成事', icon: <FileTextOutlined />, element: <UnresolvedPage /> },
    { path: '/figures', label: '本单位季度数据', icon: <BarChartOutlined />, element: <FiguresPage /> },
    { path: '/actions', label: '整改措施', icon: <ToolOutlined />, element: <ActionsPage /> },
  ],
  supervisor: [
    { path: '/desk', label: '季度概览', icon: <BarChartOutlined />, element: <DeskPage /> },
    { path: '/supervision', label: '超期与督办', icon: <WarningOutlined />, element: <SupervisionPage /> },
    { path: '/decisions', label: '申诉与延期审批', icon: <ScheduleOutlined />, element: <DecisionsPage /> },
    { path: '/classes', label: '类问题', icon: <ApartmentOutlined />, element: <ClassesPage /> },
    { path: '/suspects', label: '刷评疑似', icon: <SafetyOutlined />, element: <SuspectsPage /> },
    { path: '/reports', label: '通报与导出', icon: <FileTextOutlined />, element: <ReportsPage /> },
  ],
  admin: [
    { path: '/units', label: '单位', icon: <ClusterOutlined />, element: <UnitsPage /> },
    { path: '/devices', label: '评价器', icon: <TabletOutlined />, element: <DevicesPage /> },
    { path: '/hotline-clients', label: '12345接入', icon: <PhoneOutlined />, element: <HotlineClientsPage /> },
    { path: '/calendar', label: '工作日历', icon: <CalendarOutlined />, element: <CalendarPage /> },
    { path: '/users', label: '用户', icon: <TeamOutlined />, element: <UsersPage /> },
    { path: '/audit', label: '审计日志', icon: <AuditOutlined />, element: <AuditPage /> },
  ],
};

export function Shell() {
  const user = useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.user,
  );
  // Signed out, main.tsx shows the sign-in instead of the console.
  if (!user) return null;
  return <Console user={user} />;
}

function Console({ user }: { user: User }) {
  const navigate = useNavigate();
  const location = useLocation();
  const screens = SCREENS[user.role];
  // A unit's page is reached from the ranking on the desk: the desk stays selected.
  const selected =
    screens.find((s) => location.pathname.startsWith(s.path))?.path ?? (location.pathname.startsWith('/units/') ? '/desk' : '');
  const wide = Grid.useBreakpoint().md ?? true;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={64} width={200} theme="dark">
        <div style={{ color: '#fff', padding: '16px 12px', fontWeight: 600, whiteSpace: 'nowrap', overflow: 'hidden' }}>好差评</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[selected]}
          items={screens.map((s) => ({ key: s.path, icon: s.icon, label: s.label }))}
          onClick={({ key }) => void navigate(key)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 12px',
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            gap: 8,
            lineHeight: 'normal',
          }}
        >
          <Typography.Title level={wide ? 4 : 5} style={{ margin: 0, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
            {wide ? '政务服务“好差评”管理平台' : '好差评管理平台'}
          </Typography.Title>
          <Space size={8} style={{ flexShrink: 0 }}>
            {wide && (
              <span aria-label="当前用户">
                {user.displayName}（{ROLE[user.role]}）
              </span>
            )}
            <Button icon={<LogoutOutlined />} onClick={() => void session.signOut()} aria-label="退出">
              {wide ? '退出' : null}
            </Button>
          </Space>
        </Layout.Header>
        {user.role === 'admin' && <CalendarBanner />}
        <Layout.Content style={{ padding: 16 }} role="main">
          <Suspense fallback={<Spin tip="加载中…" style={{ display: 'block', marginTop: 48 }} />}>
            <Routes>
              {screens.map((s) => (
                <Route key={s.path} path={s.path} element={s.element} />
              ))}
              {user.role !== 'admin' && <Route path="/cases/:id" element={<CasePage role={user.role} />} />}
              {user.role === 'supervisor' && <Route path="/units/:code" element={<UnitPage />} />}
              {user.role === 'supervisor' && <Route path="/classes/new" element={<NewClassPage />} />}
              {user.role !== 'admin' && <Route path="/classes/:id" element={<ClassPage role={user.role} />} />}
              <Route path="*" element={<Navigate to={screens[0]!.path} replace />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
