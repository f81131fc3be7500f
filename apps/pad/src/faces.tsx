// The five rating faces (API.md § Rating levels), drawn inline: no image files, sharp at any size.
import { RATING_LEVELS } from '../../../libs/contracts/src/rating';

export interface Level {
  level: number;
  name: string;
  /** A bad rating (差评) by the contract's grade of its level: the citizen is asked for details. */
  bad: boolean;
  color: string;
  /** The mouth: a smile curving up for the good levels, down for the bad ones. */
  mouth: string;
}

/** How each level's face is drawn; its name and grade come from the contract (RATING_LEVELS). */
const DRAWN: Record<number, Pick<Level, 'color' | 'mouth'>> = {
  5: { color: '#12805c', mouth: 'M30 62 Q50 84 70 62' },
  4: { color: '#3d8b37', mouth: 'M32 64 Q50 76 68 64' },
  3: { color: '#9a6a00', mouth: 'M33 68 L67 68' },
  2: { color: '#c05600', mouth: 'M32 72 Q50 62 68 72' },
  1: { color: '#c62828', mouth: 'M30 76 Q50 56 70 76' },
};

export const LEVELS: Level[] = RATING_LEVELS.map(({ level, name, grade }) => ({ level, name, bad: grade === 'BAD', ...DRAWN[level]! }));

/** Whether a level is a bad rating, by the contract's grade. */
export const isBadLevel = (level: number) => LEVELS.some((l) => l.level === level && l.bad);

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
