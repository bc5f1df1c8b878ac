// The engine's core input: the kernel a soak boots, and where its sources are. The front
// doors make it (kernel/bundled.ts for the bundled kernel, a path for the user's own).

export interface KernelUnderTest {
  /** the file QEMU boots */
  elf: string;
  /** where the kernel's sources are, for mapping a crash back to a source line */
  sourceRoot: string;
  /** the bundled kernel (built here or prebuilt), not the user's */
  bundled: boolean;
  fault?: string;
}
