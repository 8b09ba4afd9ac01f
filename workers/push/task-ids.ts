/** Worker ids of the push plugin's tasks. */
export const TASK = {
  /** Splits a send request into send tasks. */
  job: 'push-job',
  /** Sends one chunk of a message's targets. */
  send: 'push-send',
} as const;
