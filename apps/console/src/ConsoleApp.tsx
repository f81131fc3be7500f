import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { HashRouter } from 'react-router';
import { Shell } from './Shell';
import './styles.css';

dayjs.locale('zh-cn');

/**
 * WCAG 2.1 AA contrast (4.5:1) on white and on the tinted rows (overdue): secondary text and links darker than
 * antd's defaults, which fall to about 3:1 on a tinted background.
 */
const THEME = {
  colorPrimary: '#c0392b',
  colorPrimaryHover: '#a93226',
  colorPrimaryActive: '#922b21',
  colorLink: '#0958d9',
  colorError: '#b3261e',
  colorSuccess: '#237804',
  colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
  colorTextDescription: 'rgba(0, 0, 0, 0.65)',
  colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
  colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
  borderRadius: 4,
  // Who asked for less motion gets none: menus, dialogs and toasts appear and leave at once.
  motion: !window.matchMedia('(prefers-reduced-motion: reduce)').matches,
};

/**
 * A table that scrolls sideways (on a phone, a tablet) must be reachable by keyboard: its scroll container takes
 * focus. antd renders it without a tabindex, so every such container gets one as it appears.
 */
function focusableScrollers(root: ParentNode) {
  for (const el of root.querySelectorAll<HTMLElement>('.ant-table-content, .ant-table-body')) {
    if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '0');
  }
}
new MutationObserver(() => focusableScrollers(document)).observe(document.body, { childList: true, subtree: true });

/** The console behind the sign-in: antd's theme and messages, the router and the shell (loaded by main.tsx). */
export default function ConsoleApp() {
  return (
    <ConfigProvider
      locale={zhCN}
      button={{ autoInsertSpace: false }}
      theme={{
        token: THEME,
        components: {
          Menu: { darkItemHoverColor: '#ffffff', darkItemSelectedColor: '#ffffff', darkItemColor: 'rgba(255, 255, 255, 0.85)' },
        },
      }}
    >
      <AntApp>
        <HashRouter>
          <Shell />
        </HashRouter>
      </AntApp>
    </ConfigProvider>
  );
}
