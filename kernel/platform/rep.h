/* Forward copy and fill with the string instructions, in 8-byte units and then the
 * 0-7 bytes left. Under TCG each iteration of a rep instruction is one pass through a
 * translated block, so 8-byte units take an eighth of the passes (BENCHMARKS.md,
 * "Optimisations, before and after"); on hardware both forms are fast. Macros, so that a bad
 * pointer faults inside the function that asked for the copy. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* d and s are advanced past the copy. */
#define REP_MOVS(d, s, n)                                                                        \
  ({                                                                                             \
    size_t q_ = (size_t)(n) >> 3;                                                                \
    size_t r_ = (size_t)(n) & 7;                                                                 \
    __asm__ volatile("rep movsq\n\tmov %3, %%rcx\n\trep movsb"                                   \
                     : "+D"(d), "+S"(s), "+c"(q_)                                                \
                     : "r"(r_)                                                                   \
                     : "memory");                                                                \
  })

#define REP_STOS(d, byte, n)                                                                     \
  ({                                                                                             \
    size_t q_ = (size_t)(n) >> 3;                                                                \
    size_t r_ = (size_t)(n) & 7;                                                                 \
    uint64_t v_ = (uint64_t)(uint8_t)(byte) * 0x0101010101010101ull;                             \
    __asm__ volatile("rep stosq\n\tmov %3, %%rcx\n\trep stosb"                                   \
                     : "+D"(d), "+c"(q_)                                                         \
                     : "a"(v_), "r"(r_)                                                          \
                     : "memory");                                                                \
  })
