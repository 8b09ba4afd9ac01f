import { describe, expect, it } from 'vitest';
import { MessageTemplate, type FcmMessage } from '../../../plugins/fcm';

const message: Omit<FcmMessage, 'token'> = {
  notification: { title: 'Hi "there"', body: 'line\nbreak \u0000token\u0000 inside' },
  data: { k: '\u0000token\u0000', emoji: '🚀' },
  android: { priority: 'HIGH', ttl: '60s' },
  fcm_options: { analytics_label: 'job-1' },
};

describe('MessageTemplate', () => {
  it('gives the same request body as serializing the message for each token, token first', () => {
    const t = new MessageTemplate(message);
    for (const token of ['tok-1', 'with "quotes" and \\ backslash', '']) {
      const body = t.body(token);
      expect(JSON.parse(body)).toEqual({ message: { token, ...message } });
      expect(body.startsWith(`{"message":{"token":${JSON.stringify(token)},`)).toBe(true);
    }
  });

  it('carries validate_only for a dry run', () => {
    expect(JSON.parse(new MessageTemplate(message, true).body('tok'))).toEqual({ message: { token: 'tok', ...message }, validate_only: true });
  });
});
