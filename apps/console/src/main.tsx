import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createRoot } from 'react-dom/client';
import { HashRouter } from 'react-router';
import { Shell } from './Shell';
import './styles.css';

dayjs.locale('zh-cn');

createRoot(document.getElementById('root')!).render(
  <ConfigProvider locale={zhCN} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: '#c0392b', borderRadius: 4 } }}>
    <AntApp>
      <HashRouter>
        <Shell />
      </HashRouter>
    </AntApp>
  </ConfigProvider>,
);
