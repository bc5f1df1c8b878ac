export function aptInstallArgv(packages: string[], how: { root: boolean; aptCache?: string }): string[];
