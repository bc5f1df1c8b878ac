/* The wasm2c runtime: the linear memory at its fixed physical address, and traps
 * that print the same register dump as a CPU exception. */
#include "wasm-rt.h"
#include "platform.h"

#define WASM_PAGE 65536ull

static wasm_rt_memory_t* memory; /* the module has exactly one memory */

bool wasm_rt_is_initialized(void) { return true; }

void wasm_rt_allocate_memory(wasm_rt_memory_t* mem, uint64_t initial_pages, uint64_t max_pages, bool is64,
                             uint32_t page_size) {
  uint64_t end = (uint64_t)wasm_memory + max_pages * WASM_PAGE;
  if (memory || is64 || page_size != WASM_PAGE || end > boot_ram_end()) {
    console_puts("wasm: cannot place the linear memory (");
    console_dec(max_pages);
    console_puts(" pages at ");
    console_hex((uint64_t)wasm_memory);
    console_puts("); RAM ends at ");
    console_hex(boot_ram_end());
    console_puts(": give the guest more memory (-m)\n");
    halt_forever();
  }
  memory = mem;
  mem->data = wasm_memory;
  mem->pages = initial_pages;
  mem->max_pages = max_pages;
  mem->size = initial_pages * WASM_PAGE;
  mem->is64 = false;
  memset(wasm_memory, 0, mem->size);
}

uint64_t wasm_rt_grow_memory(wasm_rt_memory_t* mem, uint64_t delta) {
  uint64_t old = mem->pages;
  if (delta > mem->max_pages - old) return (uint64_t)-1;
  memset(mem->data + mem->size, 0, delta * WASM_PAGE);
  mem->pages += delta;
  mem->size = mem->pages * WASM_PAGE;
  return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t* mem) { (void)mem; }

uint8_t* linear_ptr(uint64_t offset, uint64_t len) {
  if (!memory || offset > memory->size || len > memory->size - offset) return NULL;
  return memory->data + offset;
}

/* A dump for a failure raised by a call (a trap, an AssemblyScript abort): RIP is
 * the call instruction in the wasm-derived function (a direct call is 5 bytes), RSP
 * and RBP are the caller's, kept in fault_frame so a debugger can unwind from there. */
void fault_in_caller(const char* headline, const char* detail, uint64_t ret_addr, uint64_t caller_rsp,
                     uint64_t caller_rbp) {
  fault_enter();
  fault_frame = (struct cpu_frame){.rip = ret_addr - 5, .rsp = caller_rsp, .rbp = caller_rbp,
                                   .cs = read_cs(), .ss = read_ss(), .rflags = read_rflags()};
  console_puts(headline);
  console_puts(detail);
  console_puts("\n");
  fault_registers_and_halt(fault_frame.rip, fault_frame.cs, fault_frame.rflags, fault_frame.rsp, fault_frame.ss);
}

static const char* const trap_names[] = {
    [WASM_RT_TRAP_NONE] = "none",
    [WASM_RT_TRAP_OOB] = "oob",
    [WASM_RT_TRAP_INT_OVERFLOW] = "int-overflow",
    [WASM_RT_TRAP_DIV_BY_ZERO] = "div-by-zero",
    [WASM_RT_TRAP_INVALID_CONVERSION] = "invalid-conversion",
    [WASM_RT_TRAP_UNREACHABLE] = "unreachable",
    [WASM_RT_TRAP_CALL_INDIRECT] = "call-indirect",
    [WASM_RT_TRAP_UNCAUGHT_EXCEPTION] = "uncaught-exception",
    [WASM_RT_TRAP_UNALIGNED] = "unaligned",
    [WASM_RT_TRAP_NULL_REF] = "null-ref",
    [WASM_RT_TRAP_EXHAUSTION] = "exhaustion",
};

__attribute__((noinline)) void wasm_rt_trap(wasm_rt_trap_t kind) {
  const char* name = (unsigned)kind < sizeof trap_names / sizeof trap_names[0] ? trap_names[kind] : "unknown";
  uint64_t* fp = __builtin_frame_address(0);
  fault_in_caller("TRAP: ", name, (uint64_t)__builtin_return_address(0), (uint64_t)(fp + 2), fp[0]);
}

/* Function tables (indirect calls): a fixed pool, enough for the module's one table. */
#define FUNCREF_POOL 256
static wasm_rt_funcref_t funcref_pool[FUNCREF_POOL];
static uint32_t funcref_used;

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements, uint32_t max_elements) {
  if (elements > FUNCREF_POOL - funcref_used) {
    console_puts("wasm: function table too large for the runtime's pool\n");
    halt_forever();
  }
  table->data = &funcref_pool[funcref_used];
  funcref_used += elements;
  table->size = elements;
  table->max_size = max_elements;
  for (uint32_t i = 0; i < elements; i++) table->data[i] = wasm_rt_funcref_null_value;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* table) { (void)table; }
