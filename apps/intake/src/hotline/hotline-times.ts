import { registerDecorator } from 'class-validator';

/**
 * The order of a 12345 transfer's instants (API.md § POST /hotline/complaints): receivedAt ≤
 * transferredAt < dueAt. (transferredAt and receivedAt not in the future: IsInstantWithOffset.)
 * The one home of the rule; the DTO checks it field by field so that every bad field is listed.
 */
export interface HotlineTimes {
  receivedAt?: unknown;
  transferredAt?: unknown;
  dueAt?: unknown;
}

function instant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/** Why `field` breaks the order, or null (also when a time is missing or no date: other checks say so). */
export function hotlineTimeProblem(field: 'receivedAt' | 'dueAt', times: HotlineTimes): string | null {
  const received = instant(times.receivedAt);
  const transferred = instant(times.transferredAt);
  const due = instant(times.dueAt);
  if (field === 'receivedAt' && received !== null && transferred !== null && received > transferred)
    return 'must not be after transferredAt';
  if (field === 'dueAt' && transferred !== null && due !== null && due <= transferred) return 'must be after transferredAt';
  return null;
}

/** Decorates receivedAt / dueAt with their place in the order around transferredAt. */
export function InHotlineTimeOrder() {
  return (target: object, propertyName: string | symbol) => {
    const field = String(propertyName) as 'receivedAt' | 'dueAt';
    registerDecorator({
      name: 'inHotlineTimeOrder',
      target: target.constructor,
      propertyName: field,
      options: { message: (args) => hotlineTimeProblem(field, args.object as HotlineTimes) ?? 'is out of order' },
      validator: {
        validate: (_value: unknown, args) => hotlineTimeProblem(field, args!.object as HotlineTimes) === null,
      },
    });
  };
}
