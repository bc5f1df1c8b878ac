/* One translation unit: the wasm2c output of the AssemblyScript kernel plus the
 * imports it calls. The header comes first so the physical-memory accessor macros
 * (phys_access.h) expand only at the call sites inside the generated code. */
#include "kernel.h" /* generated into kernel/build/<name>.gen by the build */
#include "platform.h"
#include "phys_access.h"

/* The AssemblyScript abort handler (kernel/src/panic.ts) stays a real call with a frame
 * of its own in every caller: the panic import finds the aborting function one frame up
 * (imports.c), and an inlined handler would be named in its place. Renaming the handler
 * fails the build here (a static declared and never defined, -Werror=unused-function). */
static void w2c_kernel_kernel0x2Fsrc0x2Fpanic0x2Fabort(w2c_kernel*, u32, u32, u32, u32) __attribute__((noipa));

#include "kernel.c"
#include "imports.c"
