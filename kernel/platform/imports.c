/* The functions the AssemblyScript side imports ("env" module; typed for it in
 * kernel/src/platform.ts), except the physical-memory accessors (phys_access.h).
 * Compiled in the same translation unit as the wasm2c output (wasm_unit.c). */
#include "platform.h"

/* Port I/O. */
u32 w2c_env_port_in8(struct w2c_env* e, u32 p) { (void)e; return inb((uint16_t)p); }
u32 w2c_env_port_in16(struct w2c_env* e, u32 p) { (void)e; return inw((uint16_t)p); }
u32 w2c_env_port_in32(struct w2c_env* e, u32 p) { (void)e; return inl((uint16_t)p); }
void w2c_env_port_out8(struct w2c_env* e, u32 p, u32 v) { (void)e; outb((uint16_t)p, (uint8_t)v); }
void w2c_env_port_out16(struct w2c_env* e, u32 p, u32 v) { (void)e; outw((uint16_t)p, (uint16_t)v); }
void w2c_env_port_out32(struct w2c_env* e, u32 p, u32 v) { (void)e; outl((uint16_t)p, v); }

/* Console. */
void w2c_env_console_write(struct w2c_env* e, u32 ptr, u32 len) {
  (void)e;
  uint8_t* s = linear_ptr(ptr, len);
  if (!s) wasm_rt_trap(WASM_RT_TRAP_OOB);
  console_write((const char*)s, len);
}

/* The TSC and CPUID: instructions wasm has no word for (kernel/src/clock.ts makes the clock). */
u64 w2c_env_rdtsc(struct w2c_env* e) { (void)e; return rdtsc(); }
u32 w2c_env_cpuid(struct w2c_env* e, u32 leaf, u32 reg) {
  (void)e;
  uint32_t r[4];
  cpuid(leaf, 0, r);
  return r[reg & 3];
}

/* Interrupts. */
void w2c_env_irq_route(struct w2c_env* e, u32 gsi) { (void)e; irq_route(gsi); }
u32 w2c_env_irq_take(struct w2c_env* e) { (void)e; return irq_take(); }
void w2c_env_irq_wait(struct w2c_env* e) { (void)e; irq_wait(); }

/* Boot information, copied into linear memory; each returns the full length. */
static u32 copy_out(u32 dst, u32 cap, const void* src, size_t len) {
  uint8_t* d = linear_ptr(dst, cap);
  if (!d) wasm_rt_trap(WASM_RT_TRAP_OOB);
  memcpy(d, src, len < cap ? len : cap);
  return (u32)len;
}

u32 w2c_env_boot_cmdline(struct w2c_env* e, u32 dst, u32 cap) {
  (void)e;
  char buf[1024];
  return copy_out(dst, cap, buf, boot_cmdline(buf, sizeof buf));
}

extern const uint32_t __build_id_note[]; /* namesz, descsz, type, "GNU\0", id bytes */
u32 w2c_env_boot_build_id(struct w2c_env* e, u32 dst, u32 cap) {
  (void)e;
  return copy_out(dst, cap, &__build_id_note[4], __build_id_note[1]);
}

extern const uint16_t soak_http_ports[2]; /* boot.S, the .note.soak descriptor: first, count */
u32 w2c_env_boot_http_ports(struct w2c_env* e) {
  (void)e;
  return (u32)soak_http_ports[0] | (u32)soak_http_ports[1] << 16;
}

u64 w2c_env_boot_ram_bytes(struct w2c_env* e) { (void)e; return boot_ram_end(); }

/* The end of AssemblyScript's abort(): kernel/src/panic.ts formats the message and calls
 * this. The dump names the function that called abort, one frame up: the handler is kept
 * a real call with a frame of its own (wasm_unit.c), so its saved frame pointer leads to
 * the return address into that function and to that function's RSP and RBP. */
__attribute__((noinline)) void w2c_env_panic(struct w2c_env* e, u32 ptr, u32 len) {
  (void)e;
  char text[320 + 1]; /* panic.ts writes at most 320 bytes */
  uint8_t* s = linear_ptr(ptr, len);
  if (!s) wasm_rt_trap(WASM_RT_TRAP_OOB);
  size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
  memcpy(text, s, n);
  text[n] = 0;
  uint64_t* handler_fp = *(uint64_t**)__builtin_frame_address(0);
  fault_in_caller("PANIC: ", text, handler_fp[1], (uint64_t)(handler_fp + 2), handler_fp[0]);
}

/* The baked assets' bytes: a linker symbol (assets.gen.c); what lies where is AssemblyScript's. */
extern const uint8_t baked_assets[];
u64 w2c_env_baked_assets(struct w2c_env* e) { (void)e; return (u64)(uintptr_t)baked_assets; }

/* A triple fault: an empty IDT, then an exception the CPU cannot deliver. */
void w2c_env_cpu_reset(struct w2c_env* e) {
  (void)e;
  struct {
    uint16_t limit;
    uint64_t base;
  } __attribute__((packed)) none = {0, 0};
  console_puts("cpu: reset (triple fault)\n");
  __asm__ volatile("lidt %0; int3" ::"m"(none));
  halt_forever();
}
