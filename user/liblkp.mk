# SPDX-License-Identifier: GPL-2.0
# liblkp.mk: what a program linking liblkp (or its sources) needs: libunwind's remote API and libelf.
# The generic libunwind library holds the remote API (_Ux86_64_*) that
# lib/unwind.c uses; the ELF readers (lib/symbolize.c, lib/dynsym.c, ...)
# use libelf.
LIBLKP_CFLAGS := $(shell pkg-config --cflags libunwind-generic 2>/dev/null)
LIBLKP_LIBS := $(or $(shell pkg-config --libs libunwind-generic 2>/dev/null),-lunwind-x86_64 -lunwind) -lelf -pthread
