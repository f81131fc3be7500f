import { Card, Descriptions, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Countdown, formatTime } from '../../components/common';
import { ActionStatusTag, type ImprovementAction } from './names';

/** One improvement action as both sides read it: what, for whom, by when, what the unit reported, why it came back. */
export function ActionCard({
  action,
  title,
  assignedBy,
  children,
}: {
  action: ImprovementAction;
  title?: ReactNode;
  assignedBy?: string;
  children?: ReactNode;
}) {
  const outstanding = action.status === 'ASSIGNED' || action.status === 'RETURNED';
  return (
    <Card
      size="small"
      title={title ?? action.unitName}
      aria-label={`整改措施：${action.unitName}`}
      styles={{ title: { whiteSpace: 'normal' } }}
    >
      <Descriptions size="small" column={1} styles={{ label: { whiteSpace: 'nowrap' } }}>
        <Descriptions.Item label="状态">
          <Space size={4} wrap>
            <ActionStatusTag status={action.status} overdue={action.overdue} />
            {action.returnedCount > 0 && <Typography.Text type="secondary">已退回 {action.returnedCount} 次</Typography.Text>}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label="整改措施">
          <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{action.action}</Typography.Paragraph>
        </Descriptions.Item>
        <Descriptions.Item label="完成期限">
          <Space size={4} wrap>
            <span>{formatTime(action.dueAt)}</span>
            {outstanding && <Countdown deadline={action.dueAt} />}
          </Space>
        </Descriptions.Item>
        {action.returnNote && action.status === 'RETURNED' && (
          <Descriptions.Item label="退回原因">
            <Typography.Text type="danger">{action.returnNote}</Typography.Text>
          </Descriptions.Item>
        )}
        {action.report && (
          <Descriptions.Item label="完成情况">
            <Typography.Paragraph style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{action.report}</Typography.Paragraph>
          </Descriptions.Item>
        )}
        {action.evidence.length > 0 && (
          <Descriptions.Item label="佐证材料">
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {action.evidence.map((e, i) => (
                <li key={i} style={{ wordBreak: 'break-all' }}>
                  {/^https?:\/\//.test(e) ? (
                    <a href={e} target="_blank" rel="noopener noreferrer">
                      {e}
                    </a>
                  ) : (
                    e
                  )}
                </li>
              ))}
            </ul>
          </Descriptions.Item>
        )}
        {assignedBy && <Descriptions.Item label="交办人">{assignedBy}</Descriptions.Item>}
        {action.reportedAt && <Descriptions.Item label="报送时间">{formatTime(action.reportedAt)}</Descriptions.Item>}
        {action.acceptedAt && <Descriptions.Item label="验收时间">{formatTime(action.acceptedAt)}</Descriptions.Item>}
      </Descriptions>
      {children}
    </Card>
  );
}
