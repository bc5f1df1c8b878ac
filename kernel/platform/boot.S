/* PVH entry: QEMU jumps here in 32-bit protected mode, paging off, %ebx = the
 * physical address of struct hvm_start_info. We zero .bss, identity-map the first
 * GiB with 2 MiB pages (enough to run C; paging.c replaces it with the real map),
 * enter long mode, switch SSE on and call kernel_main(start_info). */

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

/* The note QEMU's ELF loader looks for: XEN_ELFNOTE_PHYS32_ENTRY (18). */
        .section .note.pvh, "a", @note
        .p2align 2
        .long 4, 4, 18
        .asciz "Xen"
        .p2align 2
        .long pvh_start

/* Tells the soak engine (soak/elf.ts) the guest ports that serve HTTP besides 80:
 * first, count. It forwards each of its loopback ports to one of its own, because QEMU's
 * user networking keeps the host client's source port and two host connections may
 * share one. The kernel reads the same two numbers (soak_http_ports, imports.c), so
 * this is the only place they are written. */
        .section .note.soak, "a", @note
        .p2align 2
        .long 15, 4, 1
        .asciz "unikernel-soak"
        .p2align 2
        .globl soak_http_ports
soak_http_ports:
        .short 8000, 256

        .section .boot.text, "ax"
        .code32
        .globl pvh_start
pvh_start:
        cli
        cld
        mov %ebx, %esi                  /* keep start_info across the zeroing */
        mov $__bss_start, %edi
        mov $__bss_end, %ecx
        sub %edi, %ecx
        xor %eax, %eax
        rep stosb
        mov %esi, boot_start_info

        /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] -> i * 2 MiB (present, writable, large) */
        movl $boot_pdpt + 3, boot_pml4
        movl $boot_pd + 3, boot_pdpt
        xor %ecx, %ecx
1:      mov %ecx, %eax
        shl $21, %eax
        or $0x83, %eax
        mov %eax, boot_pd(, %ecx, 8)
        inc %ecx
        cmp $512, %ecx
        jne 1b

        mov %cr4, %eax
        or $CR4_PAE, %eax
        mov %eax, %cr4
        mov $boot_pml4, %eax
        mov %eax, %cr3
        mov $MSR_EFER, %ecx
        rdmsr
        or $(EFER_LME | EFER_NXE), %eax
        wrmsr
        mov %cr0, %eax
        or $(CR0_PG | CR0_PE), %eax
        mov %eax, %cr0
        lgdt gdt_ptr
        ljmp $0x08, $long_mode

        .code64
long_mode:
        mov $0x10, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        xor %ax, %ax
        mov %ax, %fs
        mov %ax, %gs
        lea kernel_stack_top(%rip), %rsp
        /* SSE on before any C runs: gcc uses XMM registers freely. */
        mov %cr0, %rax
        and $~CR0_EM, %rax
        or $CR0_MP, %rax
        mov %rax, %cr0
        mov %cr4, %rax
        or $(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
        mov %rax, %cr4
        fninit
        xor %ebp, %ebp                  /* ends the frame-pointer chain */
        mov boot_start_info(%rip), %edi
        call kernel_main
2:      cli
        hlt
        jmp 2b

/* Interrupt and exception entry: one 16-byte stub per vector, so the IDT can
 * point at isr_stubs + 16 * vector. Vectors without a CPU error code push 0. */
        .text
        .p2align 4
        .globl isr_stubs
isr_stubs:
        .altmacro
        .macro ISR_STUB n
        .p2align 4
        .if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
        .else
        pushq $0
        .endif
        pushq $\n
        jmp isr_common
        .endm
        .set vec, 0
        .rept 256
        ISR_STUB %vec
        .set vec, vec + 1
        .endr

/* Saves every general register in the order of struct cpu_frame (cpu.h) and
 * calls isr_dispatch(frame). 22 quadwords are on the stack at the call, so the
 * CPU's 16-byte alignment of the interrupt frame carries over to the C call. */
isr_common:
        push %rax
        push %rbx
        push %rcx
        push %rdx
        push %rsi
        push %rdi
        push %rbp
        push %r8
        push %r9
        push %r10
        push %r11
        push %r12
        push %r13
        push %r14
        push %r15
        mov %rsp, %rdi
        call isr_dispatch
        pop %r15
        pop %r14
        pop %r13
        pop %r12
        pop %r11
        pop %r10
        pop %r9
        pop %r8
        pop %rbp
        pop %rdi
        pop %rsi
        pop %rdx
        pop %rcx
        pop %rbx
        pop %rax
        add $16, %rsp                   /* vector and error code */
        iretq

/* GDT: null, 64-bit code (0x08), data (0x10), and a 16-byte TSS descriptor (0x18)
 * that cpu.c fills in before loading the task register. */
        .data
        .p2align 4
        .globl gdt
gdt:
        .quad 0
        .quad 0x00AF9A000000FFFF
        .quad 0x00CF92000000FFFF
        .quad 0, 0
gdt_end:
        .p2align 4
gdt_ptr:
        .word gdt_end - gdt - 1
        .quad gdt

        .section .bss
        .p2align 12
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd:   .skip 4096
        .globl boot_start_info
boot_start_info: .skip 8
