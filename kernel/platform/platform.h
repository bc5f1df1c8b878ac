/* What the platform files offer each other. One job per file:
 * console.c serial output, cpu.c descriptor tables and exception dumps,
 * paging.c the identity map, irq.c LAPIC/IOAPIC and the idle halt,
 * wasm_rt.c the wasm2c runtime, imports.c the functions the AssemblyScript
 * side imports, main.c the order. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cpu.h"

/* console.c */
void console_init(void);
void console_write(const char* s, size_t n);
void console_puts(const char* s);
void console_hex(uint64_t v); /* 0x + 16 zero-padded hex digits */
void console_dec(uint64_t v);

/* cpu.c */
void cpu_init(void);
/* Every dump is one headline ("PF at 0x.. err=0x..", "TRAP: oob", "PANIC: ..."),
 * then "RIP=.. CS=.." and "RFL=.. RSP=.. SS=..", then a halt with interrupts off.
 * fault_enter() disables interrupts and stops a second, nested dump. */
extern struct cpu_frame fault_frame;
void fault_enter(void);
__attribute__((noreturn)) void fault_registers_and_halt(uint64_t rip, uint64_t cs, uint64_t rflags, uint64_t rsp,
                                                        uint64_t ss);

/* paging.c */
void paging_init(uint64_t ram_end);

/* irq.c */
#define IRQ_VECTOR_BASE 0x30 /* GSI n arrives on vector 0x30 + n */
#define IRQ_SPURIOUS 0xff
void irq_init(void);
void irq_route(uint32_t gsi);
void irq_handle(uint64_t vector);
uint32_t irq_take(void);
void irq_wait(void);

/* wasm_rt.c */
extern uint8_t wasm_memory[]; /* linker.ld: the linear memory's fixed physical address */
uint8_t* linear_ptr(uint64_t offset, uint64_t len); /* NULL when out of bounds */
__attribute__((noreturn)) void fault_in_caller(const char* headline, const char* detail, uint64_t ret_addr,
                                               uint64_t caller_rsp, uint64_t caller_rbp);

/* main.c */
uint64_t boot_ram_end(void);
size_t boot_cmdline(char* dst, size_t cap);
