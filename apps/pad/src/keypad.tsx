// On-screen keys: a PAD at a window is used by touch alone, with no keyboard.
export function Keypad({
  keys,
  onKey,
  onDelete,
  columns,
}: {
  keys: string[];
  onKey: (key: string) => void;
  onDelete: () => void;
  columns: number;
}) {
  return (
    <div className="keypad" style={{ gridTemplateColumns: `repeat(${columns}, 1fr)` }}>
      {keys.map((key) => (
        <button key={key} type="button" className="key" onClick={() => onKey(key)}>
          {key}
        </button>
      ))}
      <button type="button" className="key key-delete" onClick={onDelete} aria-label="删除">
        ⌫
      </button>
    </div>
  );
}
