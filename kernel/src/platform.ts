// The platform layer's functions (kernel/platform/imports.c), typed for AssemblyScript.
// Physical addresses are u64: memory outside the linear memory (MMIO, DMA rings,
// baked assets) is reached only through these, so a bad pointer faults for real.

@external("env", "phys_read8") export declare function physRead8(addr: u64): u8;
@external("env", "phys_read16") export declare function physRead16(addr: u64): u16;
@external("env", "phys_read32") export declare function physRead32(addr: u64): u32;
@external("env", "phys_read64") export declare function physRead64(addr: u64): u64;
@external("env", "phys_write8") export declare function physWrite8(addr: u64, v: u8): void;
@external("env", "phys_write16") export declare function physWrite16(addr: u64, v: u16): void;
@external("env", "phys_write32") export declare function physWrite32(addr: u64, v: u32): void;
@external("env", "phys_write64") export declare function physWrite64(addr: u64, v: u64): void;
/** The physical address of a linear-memory pointer: what a device must be given. */
@external("env", "phys_addr") export declare function physAddr(ptr: usize): u64;
/** Copies `len` bytes from physical memory into linear memory. */
@external("env", "phys_copy_in") export declare function physCopyIn(dst: usize, src: u64, len: usize): void;

@external("env", "port_in8") export declare function portIn8(port: u16): u8;
@external("env", "port_in16") export declare function portIn16(port: u16): u16;
@external("env", "port_in32") export declare function portIn32(port: u16): u32;
@external("env", "port_out8") export declare function portOut8(port: u16, v: u8): void;
@external("env", "port_out16") export declare function portOut16(port: u16, v: u16): void;
@external("env", "port_out32") export declare function portOut32(port: u16, v: u32): void;

@external("env", "console_write") export declare function consoleWrite(ptr: usize, len: usize): void;

/** The time-stamp counter (kernel/src/clock.ts turns it into time). */
@external("env", "rdtsc") export declare function rdtsc(): u64;
/** CPUID `leaf` (subleaf 0): register `reg`, 0 = EAX, 1 = EBX, 2 = ECX, 3 = EDX. */
@external("env", "cpuid") export declare function cpuid(leaf: u32, reg: u32): u32;

/** Routes an IOAPIC GSI to this CPU (edge-triggered). */
@external("env", "irq_route") export declare function irqRoute(gsi: u32): void;
/** The GSIs that fired since the last call, bit n = GSI n. */
@external("env", "irq_take") export declare function irqTake(): u32;
/** Halts until the next interrupt (returns at once if one is already pending). */
@external("env", "irq_wait") export declare function irqWait(): void;

/** Copies the kernel command line; returns its length. */
@external("env", "boot_cmdline") export declare function bootCmdline(dst: usize, cap: usize): usize;
/** Copies the ELF build-id bytes; returns their count. */
@external("env", "boot_build_id") export declare function bootBuildId(dst: usize, cap: usize): usize;
/** The HTTP ports besides 80 that the ELF note (.note.soak in boot.S) announces: first | count << 16. */
@external("env", "boot_http_ports") export declare function bootHttpPorts(): u32;
@external("env", "boot_ram_bytes") export declare function bootRamBytes(): u64;

/** A compiler barrier: memory accesses are not moved across it (shared rings with a device). */
@external("env", "barrier") export declare function barrier(): void;

/** The physical address of the baked assets' bytes (their table is the generated "baked-assets" module). */
@external("env", "baked_assets") export declare function bakedAssets(): u64;

/** Prints "PANIC: <the text>" and the register lines of the dump, for the caller of abort (kernel/src/panic.ts), and halts. */
@external("env", "panic") export declare function panic(text: usize, len: usize): void;

/** Resets the machine with a triple fault (under QEMU -no-reboot, QEMU exits). */
@external("env", "cpu_reset") export declare function cpuReset(): void;
