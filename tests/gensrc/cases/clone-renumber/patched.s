# Hand-renumbered GCC 12 -O2 output (see description): emit.constprop.0 renamed to emit.constprop.4
	.file	"rn2.c"
	.text
	.p2align 4
	.type	emit.constprop.4, @function
emit.constprop.4:
.LFB4:
	.cfi_startproc
	pushq	%rbx
	.cfi_def_cfa_offset 16
	.cfi_offset 3, -16
	movl	%edi, %ebx
	call	sink@PLT
	leal	1(%rbx), %edi
	call	sink@PLT
	leal	2(%rbx), %edi
	popq	%rbx
	.cfi_def_cfa_offset 8
	jmp	sink@PLT
	.cfi_endproc
.LFE4:
	.size	emit.constprop.4, .-emit.constprop.4
	.p2align 4
	.type	weight.isra.0, @function
weight.isra.0:
.LFB5:
	.cfi_startproc
	imull	%edi, %esi
	leal	3(%rsi), %eax
	ret
	.cfi_endproc
.LFE5:
	.size	weight.isra.0, .-weight.isra.0
	.p2align 4
	.globl	a
	.type	a, @function
a:
.LFB2:
	.cfi_startproc
	jmp	emit.constprop.4
	.cfi_endproc
.LFE2:
	.size	a, .-a
	.p2align 4
	.globl	b
	.type	b, @function
b:
.LFB3:
	.cfi_startproc
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset 6, -16
	movq	%rdi, %rbp
	leal	7(%rsi), %edi
	pushq	%rbx
	.cfi_def_cfa_offset 24
	.cfi_offset 3, -24
	movl	%esi, %ebx
	subq	$8, %rsp
	.cfi_def_cfa_offset 32
	call	emit.constprop.4
	movl	64(%rbp), %edi
	movl	%ebx, %esi
	call	weight.isra.0
	addq	$8, %rsp
	.cfi_def_cfa_offset 24
	addl	$1, %eax
	popq	%rbx
	.cfi_def_cfa_offset 16
	popq	%rbp
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
.LFE3:
	.size	b, .-b
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
