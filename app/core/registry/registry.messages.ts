/** Boot-time error messages, one small function each, so they read the same everywhere. */
const rel = (file: string | undefined): string => (file ? file.replace(`${process.cwd()}/`, '') : 'an unknown file');

export const messages = {
  duplicateId: (id: string, a?: string, b?: string) =>
    `Duplicate worker id "${id}": declared in ${rel(a)} and again in ${rel(b)}. Give one of them another id.`,
  duplicateDatabase: (name: string, a?: string, b?: string) =>
    `Duplicate @Database name "${name}": declared in ${rel(a)} and again in ${rel(b)}.`,
  invalidCron: (id: string, cron: string, file: string | undefined, reason: string) =>
    `Invalid cron "${cron}" for worker "${id}" in ${rel(file)}: ${reason}`,
  invalidTimezone: (id: string, tz: string, file: string | undefined) =>
    `Invalid timezone "${tz}" for worker "${id}" in ${rel(file)}: use an IANA name such as Asia/Ho_Chi_Minh`,
  wrongBase: (decorator: string, cls: string, base: string, file: string | undefined) =>
    `@${decorator} on ${cls} in ${rel(file)}: the class must extend ${base}`,
  invalidOption: (id: string, option: string, file: string | undefined, reason: string) =>
    `Invalid option ${option} for worker "${id}" in ${rel(file)}: ${reason}`,
  invalidId: (id: string, file: string | undefined) =>
    `Invalid worker id "${id}" in ${rel(file)}: use letters, digits, '-', '_' or '.' (at most 128 characters)`,
  unknownKind: (kind: string, cls: string, file: string | undefined, known: string[]) =>
    `${cls} in ${rel(file)} is declared as a "${kind}" worker, but no such worker kind is registered (known: ${known.join(', ')}); register it with registerWorkerKind()`,
  importFailed: (file: string, reason: string) => `Could not load worker file ${rel(file)}: ${reason}`,
};
