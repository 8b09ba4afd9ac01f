import fs from 'node:fs';

/** Loads `.env` from the working directory when present; variables already in the environment win. */
export function loadDotEnv(file = '.env'): void {
  if (!fs.existsSync(file)) return;
  const before = { ...process.env };
  process.loadEnvFile(file);
  Object.assign(process.env, before);
}
