import { Select, Space } from 'antd';

export interface Quarter {
  year: number;
  quarter: number;
}

export function currentQuarter(): Quarter {
  const now = new Date(Date.now() + 8 * 3_600_000); // Asia/Shanghai
  return { year: now.getUTCFullYear(), quarter: Math.floor(now.getUTCMonth() / 3) + 1 };
}

export function previousQuarter(q: Quarter): Quarter {
  return q.quarter === 1 ? { year: q.year - 1, quarter: 4 } : { year: q.year, quarter: q.quarter - 1 };
}

export function QuarterPicker({ value, onChange }: { value: Quarter; onChange: (q: Quarter) => void }) {
  const thisYear = currentQuarter().year;
  return (
    <Space>
      <Select
        aria-label="年份"
        value={value.year}
        style={{ width: 100 }}
        onChange={(year) => onChange({ ...value, year })}
        options={Array.from({ length: 6 }, (_, i) => thisYear - i).map((y) => ({ value: y, label: `${y}年` }))}
      />
      <Select
        aria-label="季度"
        value={value.quarter}
        style={{ width: 110 }}
        onChange={(quarter) => onChange({ ...value, quarter })}
        options={[1, 2, 3, 4].map((q) => ({ value: q, label: `第${'一二三四'[q - 1]}季度` }))}
      />
    </Space>
  );
}
