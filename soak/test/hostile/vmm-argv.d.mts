export function optionList(value: string): string[];
export function parseQemuArgv(argv: string[]): {
  serialPath: string;
  forwards: { hostPort: number; guestPort: number }[];
  qmpPath: string;
  gdbPort?: number;
  kernel?: string;
  append: string;
};
