/* One translation unit: the wasm2c output of the AssemblyScript kernel plus the
 * imports it calls. The header comes first so the physical-memory accessor macros
 * (phys_access.h) expand only at the call sites inside the generated code. */
#include "kernel.h" /* generated into kernel/build/<name>.gen by the build */
#include "platform.h"
#include "phys_access.h"
#include "kernel.c"
#include "imports.c"
