// The five rating faces (API.md § Rating levels), drawn inline: no image files, sharp at any size.
import { LEVEL_LABELS } from '../../../libs/contracts/src/labels';

export interface Level {
  level: number;
  name: string;
  color: string;
  /** The mouth: a smile curving up for the good levels, down for the bad ones. */
  mouth: string;
}

export const LEVELS: Level[] = [
  { level: 5, name: LEVEL_LABELS[5], color: '#12805c', mouth: 'M30 62 Q50 84 70 62' },
  { level: 4, name: LEVEL_LABELS[4], color: '#3d8b37', mouth: 'M32 64 Q50 76 68 64' },
  { level: 3, name: LEVEL_LABELS[3], color: '#9a6a00', mouth: 'M33 68 L67 68' },
  { level: 2, name: LEVEL_LABELS[2], color: '#c05600', mouth: 'M32 72 Q50 62 68 72' },
  { level: 1, name: LEVEL_LABELS[1], color: '#c62828', mouth: 'M30 76 Q50 56 70 76' },
];

export function Face({ level }: { level: Level }) {
  return (
    <svg viewBox="0 0 100 100" aria-hidden="true" className="face">
      <circle cx="50" cy="50" r="46" fill={level.color} />
      <circle cx="35" cy="40" r="6" fill="#fff" />
      <circle cx="65" cy="40" r="6" fill="#fff" />
      <path d={level.mouth} stroke="#fff" strokeWidth="7" strokeLinecap="round" fill="none" />
    </svg>
  );
}
