# Hand-renumbered GCC 12 -O2 output (see description): weight.isra.0 renamed to weight.isra.1
	.file	"rn.c"
	.text
	.p2align 4
	.type	emit.constprop.0, @function
emit.constprop.0:
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
	.size	emit.constprop.0, .-emit.constprop.0
	.p2align 4
	.type	weight.isra.1, @function
weight.isra.1:
.LFB5:
	.cfi_startproc
	imull	%edi, %esi
	leal	3(%rsi), %eax
	ret
	.cfi_endproc
.LFE5:
	.size	weight.isra.1, .-weight.isra.1
	.p2align 4
	.globl	a
	.type	a, @function
a:
.LFB2:
	.cfi_startproc
	jmp	emit.constprop.0
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
	call	emit.constprop.0
	movl	64(%rbp), %edi
	addq	$8, %rsp
	.cfi_def_cfa_offset 24
	movl	%ebx, %esi
	popq	%rbx
	.cfi_def_cfa_offset 16
	popq	%rbp
	.cfi_def_cfa_offset 8
	jmp	weight.isra.1
	.cfi_endproc
.LFE3:
	.size	b, .-b
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits
