import { createCloudEvent, isCloudEvent } from './cloud-event.js';

describe('CloudEvents envelopes', () => {
  it('createCloudEvent fills the structured-mode members and keeps what it is given', () => {
    const time = new Date('2026-11-20T02:00:00.000Z');
    expect(createCloudEvent({ type: 'gov.x', source: '/gov-review/test', subject: 's-1', id: 'e-1', time, data: { a: 1 } })).toEqual({
      specversion: '1.0',
      id: 'e-1',
      source: '/gov-review/test',
      type: 'gov.x',
      time: '2026-11-20T02:00:00.000Z',
      datacontenttype: 'application/json',
      subject: 's-1',
      data: { a: 1 },
    });
  });

  it('gives each event a fresh UUID and the current time, and leaves subject out when none is given', () => {
    const before = Date.now();
    const a = createCloudEvent({ type: 'gov.x', source: '/s', data: {} });
    const b = createCloudEvent({ type: 'gov.x', source: '/s', data: {} });
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    expect(Date.parse(a.time)).toBeGreaterThanOrEqual(before);
    expect(Object.keys(a)).not.toContain('subject');
  });

  it('isCloudEvent accepts an envelope and refuses anything missing a required member', () => {
    const event = createCloudEvent({ type: 'gov.x', source: '/s', data: {} });
    expect(isCloudEvent(event)).toBe(true);
    expect(isCloudEvent(JSON.parse(JSON.stringify(event)))).toBe(true);
    expect(isCloudEvent(null)).toBe(false);
    expect(isCloudEvent('event')).toBe(false);
    expect(isCloudEvent({ ...event, specversion: '0.3' })).toBe(false);
    expect(isCloudEvent({ ...event, id: '' })).toBe(false);
    for (const member of ['id', 'type', 'source', 'time', 'data'] as const) {
      const { [member]: _gone, ...rest } = event;
      expect([member, isCloudEvent(rest)]).toEqual([member, false]);
    }
    expect(isCloudEvent({ ...event, data: null })).toBe(false);
  });
});
