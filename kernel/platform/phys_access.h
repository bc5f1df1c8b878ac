/* The physical-memory accessors the AssemblyScript side imports (phys_read*, phys_write*,
 * phys_addr, phys_copy_in, barrier), as macros. wasm_unit.c defines them after the wasm2c header declared the
 * imports and before the wasm2c code calls them, so each access is compiled straight into
 * the AssemblyScript-derived function: a bad physical pointer faults with RIP inside the
 * function that made the access, and addr2line -f names that function, not a helper. */
#pragma once
#include "rep.h"

#define PHYS_LOAD(type, addr) (*(volatile type*)(uintptr_t)(addr))
#define PHYS_STORE(type, addr, v) (*(volatile type*)(uintptr_t)(addr) = (type)(v))

#define w2c_env_phys_read8(env, a) ((void)(env), (u32)PHYS_LOAD(uint8_t, a))
#define w2c_env_phys_read16(env, a) ((void)(env), (u32)PHYS_LOAD(uint16_t, a))
#define w2c_env_phys_read32(env, a) ((void)(env), (u32)PHYS_LOAD(uint32_t, a))
#define w2c_env_phys_read64(env, a) ((void)(env), (u64)PHYS_LOAD(uint64_t, a))
#define w2c_env_phys_write8(env, a, v) ((void)(env), (void)PHYS_STORE(uint8_t, a, v))
#define w2c_env_phys_write16(env, a, v) ((void)(env), (void)PHYS_STORE(uint16_t, a, v))
#define w2c_env_phys_write32(env, a, v) ((void)(env), (void)PHYS_STORE(uint32_t, a, v))
#define w2c_env_phys_write64(env, a, v) ((void)(env), (void)PHYS_STORE(uint64_t, a, v))
#define w2c_env_phys_addr(env, offset) ((void)(env), (u64)(uintptr_t)wasm_memory + (u32)(offset))
/* Copies physical memory into linear memory with inline string instructions, so a bad
 * source pointer faults inside the AssemblyScript function that asked for the copy. */
#define w2c_env_phys_copy_in(env, dst, src, len)                              \
  ({                                                                            \
    size_t n_ = (u32)(len);                                                     \
    uint8_t* d_ = linear_ptr((u32)(dst), n_);                                   \
    const void* s_ = (const void*)(uintptr_t)(src);                             \
    (void)(env);                                                                \
    if (!d_) wasm_rt_trap(WASM_RT_TRAP_OOB);                                    \
    REP_MOVS(d_, s_, n_);                                                       \
  })
#define w2c_env_barrier(env) ({ (void)(env); __asm__ volatile("" ::: "memory"); })
